/* space: the reserve that lets removals commit on a full disk (space.h). */
#include "store/space.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* The reserve's path, FILE.reserve. 0 or -ENAMETOOLONG. */
static int reserve_path(const char *db_path, char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%s.reserve", db_path);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* The statvfs of the directory holding db_path. 0 or -errno. */
static int disk_of(const char *db_path, struct statvfs *sv)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", db_path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return statvfs(dir, sv) ? -errno : 0;
}

int64_t space_free(const char *db_path)
{
	struct statvfs sv;
	int rc = disk_of(db_path, &sv);

	return rc ? rc : (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
}

int64_t space_reserve_bytes(const char *db_path)
{
	struct statvfs sv;
	int64_t bytes;

	if (disk_of(db_path, &sv))
		return 0;
	bytes = (int64_t)sv.f_blocks * (int64_t)sv.f_frsize / 16;
	return bytes < RESERVE_MAX_BYTES ? bytes : RESERVE_MAX_BYTES;
}

/*
 * Write zeros into fd up to size: posix_fallocate where the file system
 * has it, else plain writes (so that the blocks are really taken).
 */
static int fill(int fd, off_t from, off_t size)
{
	static const char zeros[65536];
	int rc = posix_fallocate(fd, from, size - from);

	if (rc != EOPNOTSUPP && rc != EINVAL)
		return -rc;
	while (from < size) {
		size_t n = size - from < (off_t)sizeof(zeros)
				   ? (size_t)(size - from)
				   : sizeof(zeros);
		ssize_t w = pwrite(fd, zeros, n, from);

		if (w < 0)
			return -errno;
		from += w;
	}
	return 0;
}

int space_reserve(const char *db_path)
{
	int64_t want = space_reserve_bytes(db_path), have = 0, avail;
	char path[PATH_MAX];
	struct stat st;
	int fd, rc;

	rc = reserve_path(db_path, path);
	if (rc)
		return rc;
	if (stat(path, &st) == 0)
		have = st.st_size;
	if (want <= 0 || have >= want)
		return 0;
	avail = space_free(db_path);
	if (avail < 0)
		return (int)avail;
	if (avail < 2 * (want - have))
		return -ENOSPC;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = fill(fd, have, want);
	if (!rc && fsync(fd))
		rc = -errno;
	/* A failure leaves the reserve as it was, or says it could not. */
	if (rc && ftruncate(fd, have) != 0)
		rc = -EIO;
	close(fd);
	return rc;
}

int space_release(const char *db_path)
{
	char path[PATH_MAX];
	struct stat st;
	int rc = reserve_path(db_path, path);

	if (rc)
		return rc;
	if (stat(path, &st) || st.st_size == 0)
		return -ENOENT;
	return unlink(path) ? -errno : 0;
}
