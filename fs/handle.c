/* handle: per-open-file state and the shared line joiner. */
#include "fs/handle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct handle *handle_new(pid_t opener, bool writable)
{
	struct handle *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	h->opener = opener;
	h->writable = writable;
	return h;
}

void handle_free(struct handle *h)
{
	if (!h)
		return;
	strbuf_release(&h->pending);
	strbuf_release(&h->text);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static const char *last_newline(const char *buf, size_t len)
{
	return memrchr(buf, '\n', len);
}

int handle_take(struct handle *h, const char *buf, size_t len, lines_fn fn,
		void *ctx)
{
	const char *nl = last_newline(buf, len);
	size_t old_len = h->pending.len;
	size_t head;
	int rc;

	if (!nl)
		return strbuf_add(&h->pending, buf, len);
	head = (size_t)(nl - buf) + 1;
	if (old_len == 0) {
		/* The common case: lines straight from the write, no copy. */
		rc = fn(ctx, buf, head);
	} else {
		rc = strbuf_add(&h->pending, buf, head);
		if (!rc)
			rc = fn(ctx, h->pending.buf, h->pending.len);
		if (rc) {
			h->pending.len = old_len;
			h->pending.buf[old_len] = '\0';
			return rc;
		}
		strbuf_reset(&h->pending);
	}
	if (rc)
		return rc;
	return strbuf_add(&h->pending, buf + head, len - head);
}

int handle_finish(struct handle *h, lines_fn fn, void *ctx)
{
	int rc;

	if (h->pending.len == 0)
		return 0;
	rc = strbuf_add(&h->pending, "\n", 1);
	if (!rc)
		rc = fn(ctx, h->pending.buf, h->pending.len);
	strbuf_reset(&h->pending);
	return rc;
}

pid_t thread_group_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = tid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}
