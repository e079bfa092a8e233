/*
 * bread: the reader of make bench. Reads FILE to its end N times (open,
 * read in 128 KiB requests, close) and prints the median and minimum
 * wall time of one whole read, and the bytes one read returned.
 *
 *   bread [-n N] FILE        prints "bytes=B median_ms=M min_ms=m"
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define READ_BYTES (128 * 1024)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One whole read of path: its bytes, or -1. */
static long long read_all(const char *path, char *buf)
{
	long long total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		perror(path);
		return -1;
	}
	while ((n = read(fd, buf, READ_BYTES)) > 0)
		total += n;
	close(fd);
	if (n < 0) {
		perror(path);
		return -1;
	}
	return total;
}

int main(int argc, char **argv)
{
	static char buf[READ_BYTES];
	int n = 100, opt, i;
	long long bytes = 0;
	double *ms;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			return 2;
		n = atoi(optarg);
	}
	if (optind != argc - 1 || n < 1) {
		fprintf(stderr, "usage: bread [-n N] FILE\n");
		return 2;
	}
	ms = calloc((size_t)n, sizeof(*ms));
	if (!ms)
		return 1;
	for (i = 0; i < n; i++) {
		double t0 = now_ms();

		bytes = read_all(argv[optind], buf);
		if (bytes < 0)
			return 1;
		ms[i] = now_ms() - t0;
	}
	qsort(ms, (size_t)n, sizeof(*ms), by_value);
	printf("bytes=%lld median_ms=%.3f min_ms=%.3f\n", bytes,
	       n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2, ms[0]);
	free(ms);
	return 0;
}
