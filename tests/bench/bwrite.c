/*
 * bwrite: the writer of make bench. Writes INPUT to each FILE the way a
 * script feeding monfs would, and times it.
 *
 *   bwrite [-c BYTES | -1] INPUT FILE...    (FILE "@LIST": names in LIST)
 *
 * -c BYTES: writes of up to BYTES (default 65536), cut after the last
 * whole line; -1: one line per write(2), the descriptor held open.
 * Each FILE is opened O_WRONLY|O_CREAT|O_APPEND and closed after its
 * writes; the clock runs from the first open to the last close (INPUT
 * is read into memory before). Prints "writes=N bytes=B seconds=S".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct input {
	const char *buf;
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load(const char *path, struct input *in)
{
	struct stat sb;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb) < 0) {
		perror(path);
		return -1;
	}
	in->len = (size_t)sb.st_size;
	in->buf = in->len ? mmap(NULL, in->len, PROT_READ,
				 MAP_PRIVATE | MAP_POPULATE, fd, 0)
			  : "";
	close(fd);
	if (in->buf == MAP_FAILED) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Length of the next write at pos: whole lines up to chunk bytes. */
static size_t next_len(const struct input *in, size_t pos, size_t chunk,
		       int one_line)
{
	size_t left = in->len - pos, n = left < chunk ? left : chunk;
	const char *nl;

	if (one_line) {
		nl = memchr(in->buf + pos, '\n', left);
		return nl ? (size_t)(nl - (in->buf + pos)) + 1 : left;
	}
	if (n == left)
		return n;
	nl = memrchr(in->buf + pos, '\n', n);
	return nl ? (size_t)(nl - (in->buf + pos)) + 1 : n;
}

static int write_file(const char *path, const struct input *in, size_t chunk,
		      int one_line, long long *writes)
{
	size_t pos = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (fd < 0) {
		perror(path);
		return -1;
	}
	while (pos < in->len) {
		size_t n = next_len(in, pos, chunk, one_line);
		ssize_t w = write(fd, in->buf + pos, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror(path);
			close(fd);
			return -1;
		}
		pos += (size_t)w;
		(*writes)++;
	}
	if (close(fd) < 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Each name in LIST, one per line. */
static int write_list(const char *list, const struct input *in, size_t chunk,
		      int one_line, long long *writes)
{
	FILE *f = fopen(list, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	if (!f) {
		perror(list);
		return -1;
	}
	while (!rc && (n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		rc = write_file(line, in, chunk, one_line, writes);
	}
	free(line);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	size_t chunk = 65536;
	int one_line = 0, opt, i, rc = 0;
	long long writes = 0, files = 0;
	struct input in;
	double t0;

	while ((opt = getopt(argc, argv, "c:1")) != -1) {
		if (opt == 'c')
			chunk = strtoul(optarg, NULL, 10);
		else if (opt == '1')
			one_line = 1;
		else
			return 2;
	}
	if (argc - optind < 2 || chunk == 0) {
		fprintf(stderr,
			"usage: bwrite [-c BYTES | -1] INPUT FILE...\n");
		return 2;
	}
	if (load(argv[optind], &in))
		return 1;
	t0 = now_s();
	for (i = optind + 1; i < argc && !rc; i++, files++)
		rc = argv[i][0] == '@' ? write_list(argv[i] + 1, &in, chunk,
						    one_line, &writes)
				       : write_file(argv[i], &in, chunk,
						    one_line, &writes);
	if (rc)
		return 1;
	printf("writes=%lld bytes=%zu seconds=%.6f\n", writes,
	       in.len * (size_t)files, now_s() - t0);
	return 0;
}
