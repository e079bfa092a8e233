/*
 * segments: log streams' bytes in append-only files (store/segments.h).
 *
 * Writes go to the last segment of a stream, reads mostly to the last
 * few: the files used lately stay open, SEGMENT_FILES_OPEN of them, the
 * least recently used closed to make room. That is a cache, not a cap:
 * a closed file opens again when needed. A file written since the last
 * segments_sync is dirty; closing it keeps its name on the list of files
 * the next sync must still flush, which grows as it must.
 */
#include "store/segments.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEGMENT_FILES_OPEN 64
#define SEGMENT_NAME_MAX 48 /* "<stream>/<k>": two int64s and a slash */

struct segment_key {
	int64_t stream;
	int64_t k;
};

struct segment_file {
	struct segment_key key;
	int fd;	       /* -1: the slot is free */
	bool dirty;    /* written since the last sync */
	uint64_t used; /* the clock at its last use */
};

struct segments {
	int dirfd; /* FILE.logs */
	struct segment_file files[SEGMENT_FILES_OPEN];
	uint64_t clock;
	struct segment_key *unsynced; /* dirty files closed since the sync */
	size_t nunsynced, capunsynced;
};

int segments_open(const char *db_path, struct segments **out, struct err *err)
{
	struct segments *sg;
	char dir[4096];
	int n, i;

	*out = NULL;
	n = snprintf(dir, sizeof(dir), "%s.logs", db_path);
	if (n < 0 || (size_t)n >= sizeof(dir)) {
		err_set(err, "%s: the path is too long", db_path);
		return -ENAMETOOLONG;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err_set(err, "cannot make %s: %s", dir, strerror(errno));
		return -errno;
	}
	sg = calloc(1, sizeof(*sg));
	if (!sg)
		return -ENOMEM;
	for (i = 0; i < SEGMENT_FILES_OPEN; i++)
		sg->files[i].fd = -1;
	sg->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sg->dirfd < 0) {
		err_set(err, "cannot open %s: %s", dir, strerror(errno));
		free(sg);
		return -errno;
	}
	*out = sg;
	return 0;
}

/* Forget slot f, closing its file (a dirty one stays on the sync list). */
static int slot_close(struct segments *sg, struct segment_file *f)
{
	int rc = 0;

	if (f->fd < 0)
		return 0;
	if (f->dirty && sg->nunsynced == sg->capunsynced) {
		size_t cap = sg->capunsynced ? sg->capunsynced * 2 : 16;
		struct segment_key *bigger =
			realloc(sg->unsynced, cap * sizeof(*bigger));

		if (bigger) {
			sg->unsynced = bigger;
			sg->capunsynced = cap;
		} else if (fdatasync(f->fd)) { /* no room to remember it */
			rc = -errno;
		}
		if (!bigger)
			f->dirty = false;
	}
	if (f->dirty)
		sg->unsynced[sg->nunsynced++] = f->key;
	close(f->fd);
	f->fd = -1;
	f->dirty = false;
	return rc;
}

void segments_close(struct segments *sg)
{
	int i;

	if (!sg)
		return;
	for (i = 0; i < SEGMENT_FILES_OPEN; i++)
		if (sg->files[i].fd >= 0)
			close(sg->files[i].fd);
	close(sg->dirfd);
	free(sg->unsynced);
	free(sg);
}

static void segment_name(char name[SEGMENT_NAME_MAX], int64_t stream, int64_t k)
{
	snprintf(name, SEGMENT_NAME_MAX, "%" PRId64 "/%" PRId64, stream, k);
}

static void stream_name(char name[SEGMENT_NAME_MAX], int64_t stream)
{
	snprintf(name, SEGMENT_NAME_MAX, "%" PRId64, stream);
}

/*
 * The open file of segment k of stream, opened (and with create made,
 * its stream's directory too) when not cached. 0 and *out, -ENOENT when
 * it does not exist and create is false, or -errno.
 */
static int segment_file(struct segments *sg, int64_t stream, int64_t k,
			bool create, struct segment_file **out)
{
	struct segment_file *f, *victim = &sg->files[0];
	char name[SEGMENT_NAME_MAX];
	int i, fd;

	sg->clock++;
	for (i = 0; i < SEGMENT_FILES_OPEN; i++) {
		f = &sg->files[i];
		if (f->fd >= 0 && f->key.stream == stream && f->key.k == k) {
			f->used = sg->clock;
			*out = f;
			return 0;
		}
		if (victim->fd >= 0 && (f->fd < 0 || f->used < victim->used))
			victim = f;
	}
	segment_name(name, stream, k);
	fd = openat(sg->dirfd, name,
		    O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0 && errno == ENOENT && create) {
		char dir[SEGMENT_NAME_MAX];

		stream_name(dir, stream);
		if (mkdirat(sg->dirfd, dir, 0700) && errno != EEXIST)
			return -errno;
		fd = openat(sg->dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC,
			    0600);
	}
	if (fd < 0)
		return -errno;
	slot_close(sg, victim);
	victim->key = (struct segment_key){stream, k};
	victim->fd = fd;
	victim->dirty = false;
	victim->used = sg->clock;
	*out = victim;
	return 0;
}

/*
 * Split [abs, abs + len) at segment boundaries: the first piece's
 * segment, its offset in it and its length.
 */
static size_t piece(int64_t abs, size_t len, int64_t *k, int64_t *at)
{
	int64_t room;

	*k = abs / SEGMENT_BYTES;
	*at = abs - *k * SEGMENT_BYTES;
	room = SEGMENT_BYTES - *at;
	return (int64_t)len < room ? len : (size_t)room;
}

/*
 * Write (write) or read len bytes of stream at abs through its
 * segments, all of them. A segment missing or short for a read is bytes
 * the index says exist: -EIO.
 */
static int transfer(struct segments *sg, int64_t stream, int64_t abs, char *p,
		    size_t len, bool write)
{
	assert(stream > 0 && abs >= 0);
	while (len > 0) {
		struct segment_file *f = NULL;
		int64_t k, at;
		size_t n = piece(abs, len, &k, &at);
		ssize_t done;
		int rc = segment_file(sg, stream, k, write, &f);

		if (rc)
			return rc == -ENOENT ? -EIO : rc;
		f->dirty = f->dirty || write;
		done = write ? pwrite(f->fd, p, n, at) : pread(f->fd, p, n, at);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return done < 0 ? -errno : -EIO;
		p += done;
		abs += done;
		len -= (size_t)done;
	}
	return 0;
}

int segments_write(struct segments *sg, int64_t stream, int64_t abs,
		   const void *buf, size_t len)
{
	return transfer(sg, stream, abs, (char *)(uintptr_t)buf, len, true);
}

int segments_read(struct segments *sg, int64_t stream, int64_t abs, void *buf,
		  size_t len)
{
	return transfer(sg, stream, abs, buf, len, false);
}

/* fsync the directory named name under FILE.logs ("." for itself). */
static int sync_dir(struct segments *sg, const char *name)
{
	int fd = openat(sg->dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = fsync(fd) ? -errno : 0;
	close(fd);
	return rc;
}

/* Flush segment key (closed since it was written) and its directory. */
static int sync_closed(struct segments *sg, const struct segment_key *key)
{
	char name[SEGMENT_NAME_MAX];
	int fd, rc;

	segment_name(name, key->stream, key->k);
	fd = openat(sg->dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) /* removed since: nothing of it to keep */
		return errno == ENOENT ? 0 : -errno;
	rc = fdatasync(fd) ? -errno : 0;
	close(fd);
	stream_name(name, key->stream);
	return rc ? rc : sync_dir(sg, name);
}

int segments_sync(struct segments *sg)
{
	char name[SEGMENT_NAME_MAX];
	int rc = 0, r, i;
	size_t j;

	for (i = 0; i < SEGMENT_FILES_OPEN; i++) {
		struct segment_file *f = &sg->files[i];

		if (f->fd < 0 || !f->dirty)
			continue;
		r = fdatasync(f->fd) ? -errno : 0;
		stream_name(name, f->key.stream);
		if (!r)
			r = sync_dir(sg, name);
		if (!r)
			f->dirty = false;
		else if (!rc)
			rc = r;
	}
	for (j = 0; j < sg->nunsynced; j++) {
		r = sync_closed(sg, &sg->unsynced[j]);
		if (r && !rc)
			rc = r;
	}
	if (!rc)
		sg->nunsynced = 0;
	r = sync_dir(sg, ".");
	return rc ? rc : r;
}

/*
 * Close the cached files of stream's segments first..last (a dirty one
 * stays on the sync list: syncing a file unlinked since is a no-op).
 */
static void forget(struct segments *sg, int64_t stream, int64_t first,
		   int64_t last)
{
	int i;

	for (i = 0; i < SEGMENT_FILES_OPEN; i++) {
		struct segment_file *f = &sg->files[i];

		if (f->fd >= 0 && f->key.stream == stream &&
		    f->key.k >= first && f->key.k <= last)
			slot_close(sg, f);
	}
}

/* A name of the form of a segment or a stream: a decimal int64 >= 0. */
static bool number_of(const char *name, int64_t *out)
{
	char *end;
	long long v;

	if (name[0] < '0' || name[0] > '9')
		return false;
	errno = 0;
	v = strtoll(name, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/*
 * Unlink the segments k of stream for which drop(k, limit) holds, closing
 * their cached files first. 0 or -errno.
 */
static int unlink_segments(struct segments *sg, int64_t stream,
			   bool (*drop)(int64_t k, int64_t limit),
			   int64_t limit)
{
	char name[SEGMENT_NAME_MAX];
	struct dirent *e;
	DIR *dir;
	int fd, rc = 0;

	stream_name(name, stream);
	fd = openat(sg->dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	dir = fdopendir(fd);
	if (!dir) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((e = readdir(dir))) {
		int64_t k;

		if (!number_of(e->d_name, &k) || !drop(k, limit))
			continue;
		forget(sg, stream, k, k);
		if (unlinkat(fd, e->d_name, 0) && errno != ENOENT && !rc)
			rc = -errno;
	}
	closedir(dir);
	return rc;
}

static bool below(int64_t k, int64_t limit)
{
	return k < limit;
}

static bool above(int64_t k, int64_t limit)
{
	return k > limit;
}

static bool any(int64_t k, int64_t limit)
{
	(void)k;
	(void)limit;
	return true;
}

int segments_drop_before(struct segments *sg, int64_t stream, int64_t start)
{
	/* Segment k ends at (k + 1) * SEGMENT_BYTES: gone when <= start. */
	return unlink_segments(sg, stream, below, start / SEGMENT_BYTES);
}

int segments_remove(struct segments *sg, int64_t stream)
{
	char name[SEGMENT_NAME_MAX];
	int rc = unlink_segments(sg, stream, any, 0);

	stream_name(name, stream);
	if (!rc && unlinkat(sg->dirfd, name, AT_REMOVEDIR) && errno != ENOENT)
		rc = -errno;
	return rc;
}

int64_t segments_extent(struct segments *sg, int64_t stream, int64_t end)
{
	char name[SEGMENT_NAME_MAX];
	struct stat sb;
	int64_t k, have;

	if (end <= 0)
		return 0;
	k = (end - 1) / SEGMENT_BYTES;
	segment_name(name, stream, k);
	if (fstatat(sg->dirfd, name, &sb, 0))
		return errno == ENOENT ? k * SEGMENT_BYTES : -errno;
	have = k * SEGMENT_BYTES + (int64_t)sb.st_size;
	return have < end ? have : end;
}

int segments_trim(struct segments *sg, int64_t stream, int64_t end)
{
	char name[SEGMENT_NAME_MAX];
	int64_t k = end / SEGMENT_BYTES, keep = end - k * SEGMENT_BYTES;
	struct stat sb;
	int fd, rc;

	forget(sg, stream, k, k);
	rc = unlink_segments(sg, stream, above, k);
	if (rc)
		return rc;
	segment_name(name, stream, k);
	if (fstatat(sg->dirfd, name, &sb, 0))
		return errno == ENOENT ? 0 : -errno;
	if (sb.st_size <= keep)
		return 0;
	if (keep == 0)
		return unlinkat(sg->dirfd, name, 0) ? -errno : 0;
	fd = openat(sg->dirfd, name, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = ftruncate(fd, keep) ? -errno : 0;
	close(fd);
	return rc;
}

int segments_each_stream(struct segments *sg,
			 int (*fn)(void *ctx, int64_t stream), void *ctx)
{
	struct dirent *e;
	DIR *dir;
	int fd, rc = 0;

	fd = openat(sg->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while (!rc && (e = readdir(dir))) {
		int64_t stream;

		if (number_of(e->d_name, &stream))
			rc = fn(ctx, stream);
	}
	closedir(dir);
	return rc;
}
