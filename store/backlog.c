/*
 * backlog: the acknowledged data writes the database has yet to take
 * (store/backlog.h).
 *
 * Each record is a frame: its payload's length, its sequence number and
 * a CRC-32 (zlib's) over both and the payload, then the payload. A frame
 * whose length runs past the file's end or whose CRC does not match is
 * where the appends stopped, a crash inside one included: nothing after
 * it was acknowledged.
 *
 * Appends are copies into a shared mapping of the file, not system
 * calls: a write(2) of one data point costs its FUSE round trip and a
 * memcpy, and the copy is in the page cache, which outlives the daemon
 * (kill -9). The file is grown with posix_fallocate before the mapping
 * covers it, so a full disk is -ENOSPC at the append, never a SIGBUS at
 * the copy; what lies past the last frame is zeros, which no frame's
 * CRC matches. Replays read with pread.
 */
#include "store/backlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* No record is bigger: a write is at most a few MiB of points. */
#define BACKLOG_RECORD_MAX ((uint32_t)64 * 1024 * 1024)

struct frame {
	uint32_t len; /* of the payload */
	uint32_t crc; /* over seq, len and the payload */
	uint64_t seq;
};

/*
 * The file and its mapping grow in steps of this: they double, but on a
 * disk too full for that they grow by just enough, so a nearly full disk
 * still takes what fits.
 */
#define BACKLOG_MAP_STEP ((size_t)256 * 1024)
/*
 * A payload up to this size is copied through the mapping; a bigger one
 * (a 64 KiB write of points) is written with pwrite, which fills page
 * cache pages without a page fault for each: one system call is cheaper
 * than sixteen faults. The file's pages are the same either way.
 */
#define BACKLOG_COPY_MAX ((size_t)4096)

struct backlog {
	int fd;
	int64_t size; /* where the next frame goes */
	char *map;    /* the file's first cap bytes, shared; NULL when cap 0 */
	size_t cap;   /* bytes allocated to the file and mapped */
};

/*
 * A backlog with no file behind it (a memfd), for a store whose writes
 * commit before they return (PostgreSQL's): the same appends, nothing
 * to replay after a crash.
 */
static int open_in_memory(struct backlog **out, struct err *err)
{
	struct backlog *j = calloc(1, sizeof(*j));
	int rc;

	if (!j)
		return -ENOMEM;
	j->fd = memfd_create("monfs-backlog", MFD_CLOEXEC);
	if (j->fd < 0) {
		rc = -errno;
		err_set(err, "cannot make the backlog: %s", strerror(errno));
		backlog_close(j);
		return rc;
	}
	*out = j;
	return 0;
}

int backlog_open(const char *db_path, struct backlog **out, struct err *err)
{
	struct backlog *j;
	char path[4096];
	struct stat sb;
	int n;

	*out = NULL;
	if (!db_path)
		return open_in_memory(out, err);
	n = snprintf(path, sizeof(path), "%s.backlog", db_path);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		err_set(err, "%s: the path is too long", db_path);
		return -ENAMETOOLONG;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0 || fstat(j->fd, &sb)) {
		n = -errno;
		err_set(err, "cannot open %s: %s", path, strerror(errno));
		backlog_close(j);
		return n;
	}
	j->size = sb.st_size;
	*out = j;
	return 0;
}

void backlog_close(struct backlog *j)
{
	if (!j)
		return;
	if (j->map)
		munmap(j->map, j->cap);
	if (j->fd >= 0)
		close(j->fd);
	free(j);
}

static uint32_t frame_crc(const struct frame *f, const void *rec)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc32(crc, (const Bytef *)&f->seq, sizeof(f->seq));
	crc = crc32(crc, (const Bytef *)&f->len, sizeof(f->len));
	crc = crc32(crc, rec, f->len);
	return (uint32_t)crc;
}

static size_t round_up(size_t n)
{
	return (n + BACKLOG_MAP_STEP - 1) / BACKLOG_MAP_STEP * BACKLOG_MAP_STEP;
}

/*
 * Room in the file and the mapping for need more bytes at j->size: the
 * file allocated (so no copy into it can fail for want of a block) and
 * mapped past it. 0 or -errno (-ENOSPC: the disk is full).
 */
static int make_room(struct backlog *j, size_t need)
{
	size_t want = (size_t)j->size + need, cap;
	void *map;
	int rc;

	if (want <= j->cap)
		return 0;
	/* Twice what it was, or at the least just enough. */
	cap = round_up(want > 2 * j->cap ? want : 2 * j->cap);
	rc = posix_fallocate(j->fd, 0, (off_t)cap);
	if (rc == ENOSPC && cap > round_up(want)) {
		cap = round_up(want);
		rc = posix_fallocate(j->fd, 0, (off_t)cap);
	}
	if (rc)
		return -rc;
	map = j->map ? mremap(j->map, j->cap, cap, MREMAP_MAYMOVE)
		     : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED,
			    j->fd, 0);
	if (map == MAP_FAILED)
		return -errno; /* the old mapping, if any, stands */
	j->map = map;
	j->cap = cap;
	return 0;
}

int backlog_append(struct backlog *j, uint64_t seq, const void *rec, size_t len)
{
	struct frame f = {.len = (uint32_t)len, .seq = seq};
	int rc;

	if (len > BACKLOG_RECORD_MAX)
		return -EMSGSIZE;
	rc = make_room(j, sizeof(f) + len);
	if (rc)
		return rc;
	f.crc = frame_crc(&f, rec);
	/*
	 * The payload, then the frame that makes it count: a crash between
	 * the two leaves zeros or a frame whose CRC fails, where a replay
	 * stops.
	 */
	if (len <= BACKLOG_COPY_MAX) {
		memcpy(j->map + j->size + sizeof(f), rec, len);
	} else {
		ssize_t w;

		do
			w = pwrite(j->fd, rec, len,
				   (off_t)(j->size + (int64_t)sizeof(f)));
		while (w < 0 && errno == EINTR);
		if (w < 0)
			return -errno;
		if ((size_t)w != len)
			return -ENOSPC;
	}
	memcpy(j->map + j->size, &f, sizeof(f));
	j->size += (int64_t)(sizeof(f) + len);
	return 0;
}

/* Read all of len bytes at off: 0, 1 at the end of the file, -errno. */
static int read_all(int fd, void *buf, size_t len, int64_t off)
{
	char *p = buf;

	while (len > 0) {
		ssize_t r = pread(fd, p, len, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 1;
		p += r;
		off += r;
		len -= (size_t)r;
	}
	return 0;
}

int backlog_replay(struct backlog *j,
		   int (*fn)(void *ctx, uint64_t seq, const void *rec,
			     size_t len),
		   void *ctx)
{
	int64_t off = 0;
	char *rec = NULL;
	size_t cap = 0;
	int rc = 0;

	while (!rc) {
		struct frame f;

		rc = read_all(j->fd, &f, sizeof(f), off);
		if (rc || f.len > BACKLOG_RECORD_MAX)
			break;
		if (f.len > cap) {
			char *bigger = realloc(rec, f.len);

			if (!bigger) {
				rc = -ENOMEM;
				break;
			}
			rec = bigger;
			cap = f.len;
		}
		rc = read_all(j->fd, rec, f.len, off + (int64_t)sizeof(f));
		if (rc || frame_crc(&f, rec) != f.crc)
			break;
		off += (int64_t)sizeof(f) + f.len;
		rc = fn(ctx, f.seq, rec, f.len);
	}
	free(rec);
	/* A torn tail is where the appends stopped, not an error. */
	j->size = off;
	return rc < 0 || rc > 1 ? rc : 0;
}

int64_t backlog_size(const struct backlog *j)
{
	return j->size;
}

int backlog_reset(struct backlog *j)
{
	/* Unmapped first: a page past a file's end is SIGBUS. */
	if (j->map)
		munmap(j->map, j->cap);
	j->map = NULL;
	j->cap = 0;
	if (ftruncate(j->fd, 0))
		return -errno;
	j->size = 0;
	return 0;
}
