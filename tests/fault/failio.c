/*
 * failio: a disk that fails under the database, for tests/e2e/faults.bats.
 *
 * LD_PRELOAD'ed into the daemon. While the file $MONFS_FAIL_TRIGGER
 * exists, every read of the database $MONFS_FAIL_PATH, of its WAL or of
 * its streams' segment files (pread, pread64, read) fails with EIO, as a dying
 * disk's would; with MONFS_FAIL_WRITES=1 writes and syncs of them fail too.
 * Everything else, and everything while the trigger is absent, goes to libc
 * untouched, so a test mounts normally, flips the trigger, and removes it to
 * see the daemon recover. The database is recognised by what /proc/self/fd says
 * a descriptor is, so no open(2) needs watching.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*sync_fn)(int);

/* libc's own function name, found once (a race only looks it up twice). */
static void *next(void **slot, const char *name)
{
	if (!*slot)
		*slot = dlsym(RTLD_NEXT, name);
	return *slot;
}

/* Whether fd is the database, its WAL or a segment while the trigger exists. */
static bool failing(int fd, bool write)
{
	const char *db = getenv("MONFS_FAIL_PATH");
	const char *trigger = getenv("MONFS_FAIL_TRIGGER");
	const char *writes = getenv("MONFS_FAIL_WRITES");
	char link[64], target[4096];
	size_t len;
	ssize_t n;

	if (!db || !trigger || (write && !(writes && !strcmp(writes, "1"))))
		return false;
	if (access(trigger, F_OK) != 0)
		return false;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	len = strlen(db);
	return strncmp(target, db, len) == 0 &&
	       (target[len] == '\0' || strcmp(target + len, "-wal") == 0 ||
		strncmp(target + len, ".logs/", 6) == 0);
}

static void *real_pread, *real_pread64, *real_read, *real_pwrite,
	*real_pwrite64, *real_write, *real_fsync, *real_fdatasync;

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	if (failing(fd, false)) {
		errno = EIO;
		return -1;
	}
	return ((pread_fn)next(&real_pread, "pread"))(fd, buf, n, off);
}

ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
	if (failing(fd, false)) {
		errno = EIO;
		return -1;
	}
	return ((pread_fn)next(&real_pread64, "pread64"))(fd, buf, n, off);
}

ssize_t read(int fd, void *buf, size_t n)
{
	if (failing(fd, false)) {
		errno = EIO;
		return -1;
	}
	return ((read_fn)next(&real_read, "read"))(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (failing(fd, true)) {
		errno = EIO;
		return -1;
	}
	return ((pwrite_fn)next(&real_pwrite, "pwrite"))(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	if (failing(fd, true)) {
		errno = EIO;
		return -1;
	}
	return ((pwrite_fn)next(&real_pwrite64, "pwrite64"))(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (failing(fd, true)) {
		errno = EIO;
		return -1;
	}
	return ((write_fn)next(&real_write, "write"))(fd, buf, n);
}

int fsync(int fd)
{
	if (failing(fd, true)) {
		errno = EIO;
		return -1;
	}
	return ((sync_fn)next(&real_fsync, "fsync"))(fd);
}

int fdatasync(int fd)
{
	if (failing(fd, true)) {
		errno = EIO;
		return -1;
	}
	return ((sync_fn)next(&real_fdatasync, "fdatasync"))(fd);
}
