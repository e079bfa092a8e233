/*
 * backlog: the acknowledged data writes the database has yet to take
 * (store/backlog.h).
 *
 * Each record is a frame: its payload's length, its sequence number and
 * a CRC-32 (zlib's) over both and the payload, then the payload, written
 * by one pwritev. A frame whose length runs past the file's end or whose
 * CRC does not match is where an append was cut by a crash: nothing
 * after it was acknowledged.
 */
#include "store/backlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

/* No record is bigger: a write is at most a few MiB of points. */
#define BACKLOG_RECORD_MAX ((uint32_t)64 * 1024 * 1024)

struct frame {
	uint32_t len; /* of the payload */
	uint32_t crc; /* over seq, len and the payload */
	uint64_t seq;
};

struct backlog {
	int fd;
	int64_t size; /* where the next frame goes */
};

int backlog_open(const char *db_path, struct backlog **out, struct err *err)
{
	struct backlog *j;
	char path[4096];
	struct stat sb;
	int n;

	*out = NULL;
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

int backlog_append(struct backlog *j, uint64_t seq, const void *rec, size_t len)
{
	struct frame f = {.len = (uint32_t)len, .seq = seq};
	struct iovec iov[2] = {{&f, sizeof(f)}, {(void *)(uintptr_t)rec, len}};
	ssize_t w;

	if (len > BACKLOG_RECORD_MAX)
		return -EMSGSIZE;
	f.crc = frame_crc(&f, rec);
	/*
	 * Frame and payload in one call. One cut short (a crash inside it)
	 * leaves a frame whose CRC fails or whose payload runs past the
	 * end, where a replay stops; one that fails or comes back short
	 * counts for nothing, and the next append writes over it.
	 */
	do
		w = pwritev(j->fd, iov, 2, j->size);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if ((size_t)w != sizeof(f) + len)
		return -ENOSPC; /* a regular file writes short when full */
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
	if (ftruncate(j->fd, 0))
		return -errno;
	j->size = 0;
	return 0;
}

int backlog_sync(struct backlog *j)
{
	return fdatasync(j->fd) ? -errno : 0;
}
