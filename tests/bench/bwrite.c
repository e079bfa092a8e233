/*
 * bwrite: the writer of make bench. Writes INPUT to each FILE the way a
 * script feeding monfs would, and times it.
 *
 *   bwrite [-c BYTES | -1] [-p] INPUT FILE...  (FILE "@LIST": names in LIST)
 *
 * -c BYTES: writes of up to BYTES (default 65536), cut after the last
 * whole line; -1: one line per write(2), the descriptor held open.
 * Each FILE is opened O_WRONLY|O_CREAT|O_APPEND and closed after its
 * writes. The files are written one after another, or with -p all at
 * once, a thread each, released together once every thread is ready.
 * The clock runs from the first open to the last close (INPUT is read
 * into memory, and the threads made, before). Prints "writes=N bytes=B
 * seconds=S", the totals over every FILE.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

/* How every file is written. */
struct plan {
	struct input in;
	size_t chunk;
	int one_line;
};

/* The files to write, from the command line and @LISTs. */
struct names {
	char **name;
	size_t count, capacity;
};

/* One file's writer under -p. */
struct writer {
	pthread_t thread;
	const struct plan *plan;
	const char *path;
	pthread_barrier_t *start;
	long long writes;
	int rc;
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

/* Writes the plan's input to path; adds its write(2) calls to *writes. */
static int write_file(const char *path, const struct plan *plan,
		      long long *writes)
{
	const struct input *in = &plan->in;
	size_t pos = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (fd < 0) {
		perror(path);
		return -1;
	}
	while (pos < in->len) {
		size_t n = next_len(in, pos, plan->chunk, plan->one_line);
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

/* Adds a copy of name; -1 with a message when memory runs out. */
static int names_add(struct names *names, const char *name)
{
	size_t capacity = names->capacity ? names->capacity * 2 : 64;
	char **grown;

	if (names->count == names->capacity) {
		grown = realloc(names->name, capacity * sizeof(*names->name));
		if (!grown)
			goto oom;
		names->name = grown;
		names->capacity = capacity;
	}
	names->name[names->count] = strdup(name);
	if (!names->name[names->count])
		goto oom;
	names->count++;
	return 0;
oom:
	fprintf(stderr, "bwrite: out of memory\n");
	return -1;
}

/* Adds each name in LIST, one per line. */
static int names_add_list(struct names *names, const char *list)
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
		rc = names_add(names, line);
	}
	free(line);
	fclose(f);
	return rc;
}

static void names_free(struct names *names)
{
	size_t i;

	for (i = 0; i < names->count; i++)
		free(names->name[i]);
	free(names->name);
}

/* Writes the files one after another, stopping at the first failure. */
static int write_each(const struct names *names, const struct plan *plan,
		      long long *writes)
{
	size_t i;

	for (i = 0; i < names->count; i++)
		if (write_file(names->name[i], plan, writes))
			return -1;
	return 0;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	pthread_barrier_wait(w->start);
	w->rc = write_file(w->path, w->plan, &w->writes);
	return NULL;
}

/*
 * Writes every file at once, a thread each, and sets *seconds to the
 * time from the threads' common start to the last one's end. The
 * threads are all made before any starts, so making them is not timed.
 */
static int write_parallel(const struct names *names, const struct plan *plan,
			  long long *writes, double *seconds)
{
	pthread_barrier_t start;
	struct writer *w = calloc(names->count, sizeof(*w));
	size_t made = 0, i;
	double t0;
	int rc = 0;

	if (!w ||
	    pthread_barrier_init(&start, NULL, (unsigned)names->count + 1)) {
		fprintf(stderr, "bwrite: cannot set up %zu writers\n",
			names->count);
		free(w);
		return -1;
	}
	for (; made < names->count; made++) {
		w[made] = (struct writer){.plan = plan,
					  .path = names->name[made],
					  .start = &start};
		if (pthread_create(&w[made].thread, NULL, writer_main,
				   &w[made]))
			break;
	}
	/* The threads made wait at the barrier for ever: exit takes them. */
	if (made < names->count) {
		fprintf(stderr, "bwrite: cannot start writer %zu\n", made + 1);
		exit(1);
	}
	pthread_barrier_wait(&start);
	t0 = now_s();
	for (i = 0; i < made; i++) {
		pthread_join(w[i].thread, NULL);
		*writes += w[i].writes;
		rc |= w[i].rc;
	}
	*seconds = now_s() - t0;
	pthread_barrier_destroy(&start);
	free(w);
	return rc;
}

int main(int argc, char **argv)
{
	struct plan plan = {.chunk = 65536};
	struct names names = {0};
	int parallel = 0, opt, i, rc = 0;
	long long writes = 0;
	double t0, seconds = 0;

	while ((opt = getopt(argc, argv, "c:1p")) != -1) {
		if (opt == 'c')
			plan.chunk = strtoul(optarg, NULL, 10);
		else if (opt == '1')
			plan.one_line = 1;
		else if (opt == 'p')
			parallel = 1;
		else
			return 2;
	}
	if (argc - optind < 2 || plan.chunk == 0) {
		fprintf(stderr,
			"usage: bwrite [-c BYTES | -1] [-p] INPUT FILE...\n");
		return 2;
	}
	if (load(argv[optind], &plan.in))
		return 1;
	for (i = optind + 1; i < argc && !rc; i++) {
		if (argv[i][0] == '@')
			rc = names_add_list(&names, argv[i] + 1);
		else
			rc = names_add(&names, argv[i]);
	}
	if (!rc && parallel) {
		rc = write_parallel(&names, &plan, &writes, &seconds);
	} else if (!rc) {
		t0 = now_s();
		rc = write_each(&names, &plan, &writes);
		seconds = now_s() - t0;
	}
	if (!rc)
		printf("writes=%lld bytes=%zu seconds=%.6f\n", writes,
		       plan.in.len * names.count, seconds);
	names_free(&names);
	return rc ? 1 : 0;
}
