/*
 * bgen: input for make bench, generated fast and the same in every run.
 *
 *   bgen points N SPAN_S [END]  N lines "VALUE TIMESTAMP", timestamps
 *                               rising evenly over the SPAN_S seconds
 *                               before END (Unix seconds, default now)
 *   bgen lines BYTES            100-byte log lines (99 + '\n'), about one
 *                               in eight carrying " status=500 "
 *
 * Values and line bodies come from a fixed-seed xorshift generator, so
 * two runs of one command produce the same bytes but for END.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int gen_points(long long n, long long span_s, long long end)
{
	long long i;

	for (i = 0; i < n; i++) {
		long long ts = end - span_s + (i * span_s) / n;
		unsigned v = (unsigned)(rng() % 100000);

		if (printf("%u.%02u %lld\n", v / 100, v % 100, ts) < 0)
			return 1;
	}
	return 0;
}

static int gen_lines(long long bytes)
{
	static const char *const LEVELS[] = {"INFO", "WARN", "DEBUG", "INFO"};
	char line[128];
	long long done = 0, i = 0;

	while (done + 100 <= bytes) {
		uint64_t r = rng();
		int status = (r & 7) == 0 ? 500 : 200;
		int len =
			snprintf(line, sizeof(line),
				 "2026-11-25T12:%02lld:%02lld.%03lldZ %-5s "
				 "req=%016" PRIx64 " status=%d ms=%03u path=/",
				 (i / 60000) % 60, (i / 1000) % 60, i % 1000,
				 LEVELS[r >> 62], r, status,
				 (unsigned)((r >> 20) % 1000));

		memset(line + len, 'x', 99 - (size_t)len);
		line[99] = '\n';
		if (fwrite(line, 1, 100, stdout) != 100)
			return 1;
		done += 100;
		i++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc >= 4 && strcmp(argv[1], "points") == 0)
		rc = gen_points(atoll(argv[2]), atoll(argv[3]),
				argc > 4 ? atoll(argv[4])
					 : (long long)time(NULL));
	else if (argc == 3 && strcmp(argv[1], "lines") == 0)
		rc = gen_lines(atoll(argv[2]));
	else {
		fprintf(stderr, "usage: bgen points N SPAN_S [END] | "
				"bgen lines BYTES\n");
		return 2;
	}
	if (rc || fflush(stdout)) {
		perror("bgen");
		return 1;
	}
	return 0;
}
