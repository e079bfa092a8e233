/*
 * floorfs: floor for make bench — the fastest a FUSE filesystem built the
 * way monfs is built can be, so the bench can tell how much of monfs's
 * time is monfs's own and how much is the transport's.
 *
 *   floorfs [-o serve=PATH] [fuse options] MOUNTPOINT
 *
 * A trivial in-memory tree of directories and regular files behind
 * libfuse's high-level API, run by the same loop with the same choices
 * as monfs (fs/main.c): fuse_main, multithreaded, max_idle_threads=10 by
 * default, no entry, attribute or negative caching, hard_remove,
 * nullpath_ok, libfuse's own inode numbers, direct_io on every open,
 * st_blksize 4096 (so cat and grep pick the same read sizes).
 *
 * Writes are swallowed: acknowledged and counted in the file's size,
 * never copied anywhere, so a write costs the FUSE round trip and
 * nothing else. Reads return zeros, except from the file -o serve
 * makes: PATH is read at start into one buffer, and /BASENAME serves
 * its bytes from there with one memcpy per read, which is the least a
 * .read handler can do. A bench that reads that file through cat or
 * grep does the same work over the same bytes as on monfs.
 *
 * Every node is in one hash table keyed by its full path, so a lookup
 * costs the same at any depth and in a directory of 100,000 files, and
 * in its parent's list of children, for readdir and O(1) removal. One
 * global rwlock guards all of it: a floor must be simple and obviously
 * correct, and monfs serialises on its store the same way.
 *
 * An open file or directory holds its node in fi->fh (nullpath_ok hands
 * read and write no path), so with hard_remove an unlinked file stays
 * readable until its last close; a node is freed once it is neither in
 * the tree nor open.
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fuse.h>
#include <fuse_opt.h>

#define TABLE_MIN_BUCKETS 1024
#define PERMISSION_BITS 07777
#define BLOCK_BYTES 4096 /* st_blksize, as monfs reports it */

struct node {
	char *path; /* the hash key: "/" for the root, "/a/b" below */
	size_t path_len;
	uint64_t hash;
	const char *name; /* the last component, inside path */
	struct node *hash_next;
	struct node *parent;
	struct node *first_child;
	struct node *prev_sibling, *next_sibling;
	mode_t mode; /* S_IFDIR or S_IFREG, and the permission bits */
	uid_t uid;
	gid_t gid;
	struct timespec mtime;
	unsigned subdirs; /* for a directory's link count */
	char *data;	  /* the served bytes (-o serve), or NULL */
	size_t data_len;  /* <= size; bytes past it read as zeros */
	size_t size;	  /* the end of the furthest write or truncate */
	unsigned opens;
	bool linked; /* in the table and in its parent's children */
};

static struct floor {
	pthread_rwlock_t lock;
	struct node **buckets;
	size_t bucket_count; /* a power of two */
	size_t node_count;
} floor_fs = {.lock = PTHREAD_RWLOCK_INITIALIZER};

struct floor_options {
	char *serve;
	int show_help;
};

#define OPT(t, field, v)                                                       \
	{                                                                      \
		t, offsetof(struct floor_options, field), v                    \
	}

static const struct fuse_opt OPTIONS[] = {
	OPT("serve=%s", serve, 0),
	OPT("-h", show_help, 1),
	OPT("--help", show_help, 1),
	FUSE_OPT_END,
};

/* FNV-1a: short, and good enough for paths. */
static uint64_t path_hash(const char *path, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)path[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct node **bucket_of(uint64_t hash)
{
	return &floor_fs.buckets[hash & (floor_fs.bucket_count - 1)];
}

/* The node at the first len bytes of path, or NULL. */
static struct node *table_find(const char *path, size_t len)
{
	uint64_t hash = path_hash(path, len);
	struct node *n;

	for (n = *bucket_of(hash); n; n = n->hash_next)
		if (n->hash == hash && n->path_len == len &&
		    memcmp(n->path, path, len) == 0)
			return n;
	return NULL;
}

static struct node *node_find(const char *path)
{
	return table_find(path, strlen(path));
}

/*
 * Doubles the table once it holds more nodes than buckets. If memory
 * runs out the table keeps its size: chains grow longer, nothing fails.
 */
static void table_grow(void)
{
	size_t old_count = floor_fs.bucket_count, i;
	struct node **old = floor_fs.buckets, *n, *next;
	struct node **fresh = calloc(old_count * 2, sizeof(*fresh));

	if (!fresh)
		return;
	floor_fs.buckets = fresh;
	floor_fs.bucket_count = old_count * 2;
	for (i = 0; i < old_count; i++) {
		for (n = old[i]; n; n = next) {
			next = n->hash_next;
			n->hash_next = *bucket_of(n->hash);
			*bucket_of(n->hash) = n;
		}
	}
	free(old);
}

static void table_insert(struct node *n)
{
	if (floor_fs.node_count >= floor_fs.bucket_count)
		table_grow();
	n->hash_next = *bucket_of(n->hash);
	*bucket_of(n->hash) = n;
	floor_fs.node_count++;
}

static void table_remove(struct node *n)
{
	struct node **p = bucket_of(n->hash);

	while (*p != n)
		p = &(*p)->hash_next;
	*p = n->hash_next;
	floor_fs.node_count--;
}

static void child_link(struct node *parent, struct node *n)
{
	n->parent = parent;
	n->prev_sibling = NULL;
	n->next_sibling = parent->first_child;
	if (parent->first_child)
		parent->first_child->prev_sibling = n;
	parent->first_child = n;
	if (S_ISDIR(n->mode))
		parent->subdirs++;
}

static void child_unlink(struct node *n)
{
	struct node *parent = n->parent;

	if (n->prev_sibling)
		n->prev_sibling->next_sibling = n->next_sibling;
	else
		parent->first_child = n->next_sibling;
	if (n->next_sibling)
		n->next_sibling->prev_sibling = n->prev_sibling;
	if (S_ISDIR(n->mode))
		parent->subdirs--;
	n->parent = NULL;
}

/* A node not yet in the tree, owned by the caller. */
static struct node *node_new(const char *path, mode_t mode, uid_t uid,
			     gid_t gid)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->path = strdup(path);
	if (!n->path) {
		free(n);
		return NULL;
	}
	n->path_len = strlen(path);
	n->hash = path_hash(path, n->path_len);
	n->name = strrchr(n->path, '/') + 1;
	n->mode = mode;
	n->uid = uid;
	n->gid = gid;
	clock_gettime(CLOCK_REALTIME, &n->mtime);
	return n;
}

static void node_free(struct node *n)
{
	free(n->data);
	free(n->path);
	free(n);
}

/*
 * Adds path to the tree as a node of the given mode, owned by uid and
 * gid. Returns 0 and the node in *out, -ENOENT or -ENOTDIR for a
 * missing or non-directory parent, -EEXIST, or -ENOMEM.
 */
static int node_add(const char *path, mode_t mode, uid_t uid, gid_t gid,
		    struct node **out)
{
	const char *slash = strrchr(path, '/');
	size_t parent_len = slash == path ? 1 : (size_t)(slash - path);
	struct node *parent = table_find(path, parent_len);
	struct node *n;

	if (!parent)
		return -ENOENT;
	if (!S_ISDIR(parent->mode))
		return -ENOTDIR;
	if (node_find(path))
		return -EEXIST;
	n = node_new(path, mode, uid, gid);
	if (!n)
		return -ENOMEM;
	child_link(parent, n);
	table_insert(n);
	n->linked = true;
	parent->mtime = n->mtime;
	*out = n;
	return 0;
}

/* Takes n out of the tree; it lives on while it is open. */
static void node_remove(struct node *n)
{
	clock_gettime(CLOCK_REALTIME, &n->parent->mtime);
	table_remove(n);
	child_unlink(n);
	n->linked = false;
	if (n->opens == 0)
		node_free(n);
}

static void node_close(struct node *n)
{
	n->opens--;
	if (n->opens == 0 && !n->linked)
		node_free(n);
}

/*
 * Sets the size of file n; bytes past the served ones read as zeros.
 * Truncating below the served bytes drops them for good: the floor
 * never stores a byte it is sent.
 */
static void file_resize(struct node *n, size_t size)
{
	if (size < n->data_len)
		n->data_len = size;
	if (n->data_len == 0) {
		free(n->data);
		n->data = NULL;
	}
	n->size = size;
	clock_gettime(CLOCK_REALTIME, &n->mtime);
}

static struct node *node_of(const struct fuse_file_info *fi)
{
	return (struct node *)(uintptr_t)fi->fh;
}

static void node_stat(const struct node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = n->mode;
	st->st_nlink = S_ISDIR(n->mode) ? 2 + n->subdirs : 1;
	st->st_uid = n->uid;
	st->st_gid = n->gid;
	st->st_size = (off_t)n->size;
	st->st_blksize = BLOCK_BYTES;
	st->st_blocks = (blkcnt_t)((n->size + 511) / 512);
	st->st_atim = n->mtime;
	st->st_mtim = n->mtime;
	st->st_ctim = n->mtime;
}

/* The same choices as monfs_init, so the comparison is fair. */
static void *floor_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->hard_remove = 1;
	cfg->nullpath_ok = 1;
	cfg->use_ino = 0;
	return NULL;
}

/* Frees every node still in the tree; open ones are closed by now. */
static void floor_destroy(void *data)
{
	struct node *n, *next;
	size_t i;

	(void)data;
	for (i = 0; i < floor_fs.bucket_count; i++) {
		for (n = floor_fs.buckets[i]; n; n = next) {
			next = n->hash_next;
			node_free(n);
		}
	}
	free(floor_fs.buckets);
	floor_fs.buckets = NULL;
	floor_fs.bucket_count = 0;
}

static int floor_getattr(const char *path, struct stat *st,
			 struct fuse_file_info *fi)
{
	struct node *n;

	pthread_rwlock_rdlock(&floor_fs.lock);
	n = fi ? node_of(fi) : node_find(path);
	if (n)
		node_stat(n, st);
	pthread_rwlock_unlock(&floor_fs.lock);
	return n ? 0 : -ENOENT;
}

static int floor_mkdir(const char *path, mode_t mode)
{
	struct fuse_context *who = fuse_get_context();
	struct node *n;
	int rc;

	pthread_rwlock_wrlock(&floor_fs.lock);
	rc = node_add(path, S_IFDIR | (mode & PERMISSION_BITS), who->uid,
		      who->gid, &n);
	pthread_rwlock_unlock(&floor_fs.lock);
	return rc;
}

/* Removes path if it is of the kind wanted (S_IFDIR or S_IFREG). */
static int remove_path(const char *path, mode_t kind)
{
	struct node *n;
	int rc = 0;

	pthread_rwlock_wrlock(&floor_fs.lock);
	n = node_find(path);
	if (!n)
		rc = -ENOENT;
	else if (kind == S_IFDIR && !S_ISDIR(n->mode))
		rc = -ENOTDIR;
	else if (kind == S_IFREG && S_ISDIR(n->mode))
		rc = -EISDIR;
	else if (!n->parent)
		rc = -EBUSY;
	else if (n->first_child)
		rc = -ENOTEMPTY;
	else
		node_remove(n);
	pthread_rwlock_unlock(&floor_fs.lock);
	return rc;
}

static int floor_rmdir(const char *path)
{
	return remove_path(path, S_IFDIR);
}

static int floor_unlink(const char *path)
{
	return remove_path(path, S_IFREG);
}

static int floor_opendir(const char *path, struct fuse_file_info *fi)
{
	struct node *n;
	int rc = 0;

	pthread_rwlock_wrlock(&floor_fs.lock);
	n = node_find(path);
	if (!n)
		rc = -ENOENT;
	else if (!S_ISDIR(n->mode))
		rc = -ENOTDIR;
	else
		n->opens++;
	pthread_rwlock_unlock(&floor_fs.lock);
	if (!rc)
		fi->fh = (uint64_t)(uintptr_t)n;
	return rc;
}

/*
 * The whole directory in one call, offsets 0, as monfs lists: libfuse
 * keeps the listing for the handle and serves the kernel from it.
 */
static int floor_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
			 off_t offset, struct fuse_file_info *fi,
			 enum fuse_readdir_flags flags)
{
	struct node *dir = node_of(fi), *n;
	struct stat st;

	(void)path, (void)offset, (void)flags;
	memset(&st, 0, sizeof(st));
	pthread_rwlock_rdlock(&floor_fs.lock);
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	for (n = dir->first_child; n; n = n->next_sibling) {
		st.st_mode = n->mode;
		if (filler(buf, n->name, &st, 0, 0))
			break;
	}
	pthread_rwlock_unlock(&floor_fs.lock);
	return 0;
}

static int floor_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	pthread_rwlock_wrlock(&floor_fs.lock);
	node_close(node_of(fi));
	pthread_rwlock_unlock(&floor_fs.lock);
	return 0;
}

/* Opens file n for fi; called with the lock held for writing. */
static int open_node(struct node *n, struct fuse_file_info *fi)
{
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (fi->flags & O_TRUNC)
		file_resize(n, 0);
	n->opens++;
	fi->fh = (uint64_t)(uintptr_t)n;
	/* As monfs: reads and writes reach the filesystem every time. */
	fi->direct_io = 1;
	return 0;
}

static int floor_open(const char *path, struct fuse_file_info *fi)
{
	struct node *n;
	int rc;

	pthread_rwlock_wrlock(&floor_fs.lock);
	n = node_find(path);
	rc = n ? open_node(n, fi) : -ENOENT;
	pthread_rwlock_unlock(&floor_fs.lock);
	return rc;
}

/* An existing file is opened, as open(2) does without O_EXCL. */
static int floor_create(const char *path, mode_t mode,
			struct fuse_file_info *fi)
{
	struct fuse_context *who = fuse_get_context();
	struct node *n;
	int rc = 0;

	pthread_rwlock_wrlock(&floor_fs.lock);
	n = node_find(path);
	if (n && (fi->flags & O_EXCL))
		rc = -EEXIST;
	else if (!n)
		rc = node_add(path, S_IFREG | (mode & PERMISSION_BITS),
			      who->uid, who->gid, &n);
	if (!rc)
		rc = open_node(n, fi);
	pthread_rwlock_unlock(&floor_fs.lock);
	return rc;
}

/* The served bytes in range, then zeros up to the size. */
static int floor_read(const char *path, char *buf, size_t size, off_t offset,
		      struct fuse_file_info *fi)
{
	struct node *n = node_of(fi);
	size_t start = (size_t)offset, served = 0;

	(void)path;
	pthread_rwlock_rdlock(&floor_fs.lock);
	if (start >= n->size)
		size = 0;
	else if (size > n->size - start)
		size = n->size - start;
	if (start < n->data_len) {
		served = n->data_len - start;
		if (served > size)
			served = size;
		memcpy(buf, n->data + start, served);
	}
	memset(buf + served, 0, size - served);
	pthread_rwlock_unlock(&floor_fs.lock);
	return (int)size;
}

/* Swallows size bytes at offset: the file grows, nothing is kept. */
static int floor_write(const char *path, const char *buf, size_t size,
		       off_t offset, struct fuse_file_info *fi)
{
	struct node *n = node_of(fi);
	size_t end = (size_t)offset + size;

	(void)path, (void)buf;
	if (end < size)
		return -EFBIG;
	pthread_rwlock_wrlock(&floor_fs.lock);
	if (end > n->size)
		n->size = end;
	clock_gettime(CLOCK_REALTIME, &n->mtime);
	pthread_rwlock_unlock(&floor_fs.lock);
	return (int)size;
}

static int floor_truncate(const char *path, off_t size,
			  struct fuse_file_info *fi)
{
	struct node *n;
	int rc = 0;

	pthread_rwlock_wrlock(&floor_fs.lock);
	n = fi ? node_of(fi) : node_find(path);
	if (!n)
		rc = -ENOENT;
	else if (S_ISDIR(n->mode))
		rc = -EISDIR;
	else
		file_resize(n, (size_t)size);
	pthread_rwlock_unlock(&floor_fs.lock);
	return rc;
}

static int floor_utimens(const char *path, const struct timespec tv[2],
			 struct fuse_file_info *fi)
{
	(void)path, (void)tv, (void)fi;
	return 0;
}

static int floor_flush(const char *path, struct fuse_file_info *fi)
{
	(void)path, (void)fi;
	return 0;
}

static const struct fuse_operations floor_operations = {
	.init = floor_init,
	.destroy = floor_destroy,
	.getattr = floor_getattr,
	.mkdir = floor_mkdir,
	.unlink = floor_unlink,
	.rmdir = floor_rmdir,
	.opendir = floor_opendir,
	.readdir = floor_readdir,
	.releasedir = floor_release,
	.create = floor_create,
	.open = floor_open,
	.read = floor_read,
	.write = floor_write,
	.truncate = floor_truncate,
	.utimens = floor_utimens,
	.flush = floor_flush,
	.release = floor_release,
};

/*
 * Reads the whole of path into one buffer: *data (NULL when empty) and
 * *len. Returns 0, or -1 with the reason on stderr.
 */
static int load_file(const char *path, char **data, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t done = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		goto err;
	if (st.st_size > 0) {
		buf = malloc((size_t)st.st_size);
		if (!buf)
			goto err;
	}
	while (done < (size_t)st.st_size) {
		got = read(fd, buf + done, (size_t)st.st_size - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got == 0)
			errno = EIO; /* the file shrank under us */
		if (got <= 0)
			goto err;
		done += (size_t)got;
	}
	close(fd);
	*data = buf;
	*len = done;
	return 0;
err:
	fprintf(stderr, "floorfs: %s: %s\n", path, strerror(errno));
	free(buf);
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * The empty table and the root, owned by the user who mounts, and with
 * serve set, /BASENAME holding serve's bytes. Returns 0 or -1 with the
 * reason on stderr.
 */
static int floor_setup(const char *serve)
{
	struct node *root, *n;
	const char *name;
	char *path;
	int rc;

	floor_fs.buckets = calloc(TABLE_MIN_BUCKETS, sizeof(*floor_fs.buckets));
	if (!floor_fs.buckets)
		goto oom;
	root = node_new("/", S_IFDIR | 0755, getuid(), getgid());
	if (!root)
		goto oom;
	floor_fs.bucket_count = TABLE_MIN_BUCKETS;
	root->name = root->path;
	root->linked = true;
	table_insert(root);
	if (!serve)
		return 0;
	path = malloc(strlen(serve) + 2);
	if (!path)
		goto oom;
	name = strrchr(serve, '/');
	sprintf(path, "/%s", name ? name + 1 : serve);
	rc = node_add(path, S_IFREG | 0444, getuid(), getgid(), &n);
	free(path);
	if (rc == -ENOMEM)
		goto oom;
	if (rc) {
		fprintf(stderr, "floorfs: serve=%s: %s\n", serve,
			strerror(-rc));
		return -1;
	}
	if (load_file(serve, &n->data, &n->data_len))
		return -1;
	n->size = n->data_len;
	return 0;
oom:
	fprintf(stderr, "floorfs: out of memory\n");
	return -1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: floorfs [-o serve=PATH] [fuse options] MOUNTPOINT\n"
		"  -o serve=PATH  /BASENAME serves PATH's bytes, read at\n"
		"                 start into one buffer; every other file\n"
		"                 swallows its writes and reads as zeros\n");
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct floor_options opt = {0};
	int rc = 1;

	if (fuse_opt_parse(&args, &opt, OPTIONS, NULL) == -1)
		goto out;
	if (opt.show_help) {
		usage(stdout);
		rc = 0;
		goto out;
	}
	if (args.argc < 2) {
		usage(stderr);
		goto out;
	}
	if (floor_setup(opt.serve))
		goto out;
	/* As monfs: a default libfuse 3.14 wants, the user's own wins. */
	if (fuse_opt_insert_arg(&args, 1, "-omax_idle_threads=10") == -1)
		goto out;
	rc = fuse_main(args.argc, args.argv, &floor_operations, NULL);
out:
	floor_destroy(NULL); /* a no-op if fuse_main called it */
	free(opt.serve);
	fuse_opt_free_args(&args);
	return rc;
}
