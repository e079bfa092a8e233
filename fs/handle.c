/* handle: per-open-file state and the shared line joiner. */
#include "fs/handle.h"
#include "fs/render.h"

/* Every open handle, so that those the kernel never releases end too. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle *open_handles;

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void handle_free_all(void (*fn)(struct handle *h))
{
	struct handle *h;

	for (;;) {
		pthread_mutex_lock(&open_lock);
		h = open_handles;
		pthread_mutex_unlock(&open_lock);
		if (!h)
			return;
		fn(h); /* fn frees h, taking it off the list */
	}
}

struct handle *handle_new(enum handle_kind kind, int64_t id, pid_t opener,
			  bool writable)
{
	struct handle *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	h->kind = kind;
	h->id = id;
	h->opener = opener;
	h->writable = writable;
	pthread_mutex_lock(&open_lock);
	h->next = open_handles;
	if (open_handles)
		open_handles->prev = h;
	open_handles = h;
	pthread_mutex_unlock(&open_lock);
	return h;
}

void handle_free(struct handle *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&open_lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		open_handles = h->next;
	if (h->next)
		h->next->prev = h->prev;
	pthread_mutex_unlock(&open_lock);
	render_stream_free(h->view);
	free(h->name);
	free(h->creating);
	strbuf_release(&h->pending);
	strbuf_release(&h->text);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static const char *last_newline(const char *buf, size_t len)
{
	return memrchr(buf, '\n', len);
}

int handle_take(struct handle *h, const char *buf, size_t len,
		size_t max_pending, lines_fn fn, void *ctx)
{
	const char *nl = last_newline(buf, len);
	size_t old_len = h->pending.len;
	size_t head;
	int rc;

	if (!nl) {
		if (old_len + len > max_pending)
			return -EMSGSIZE;
		return strbuf_add(&h->pending, buf, len);
	}
	head = (size_t)(nl - buf) + 1;
	if (len - head > max_pending)
		return -EMSGSIZE;
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

struct creating {
	char *name;
	mode_t mode;
	unsigned count;
};

static pthread_mutex_t creating_lock = PTHREAD_MUTEX_INITIALIZER;
static struct creating *creating_v;
static size_t creating_n, creating_cap;

int handle_creating_add(const char *key, mode_t mode)
{
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&creating_lock);
	for (i = 0; i < creating_n; i++)
		if (!strcmp(creating_v[i].name, key))
			break;
	if (i == creating_n) {
		char *name = strdup(key);

		if (creating_n == creating_cap) {
			size_t cap = creating_cap ? creating_cap * 2 : 8;
			struct creating *v =
				realloc(creating_v, cap * sizeof(*v));

			if (!v) {
				free(name);
				name = NULL;
			} else {
				creating_v = v;
				creating_cap = cap;
			}
		}
		if (!name) {
			rc = -ENOMEM;
			goto out;
		}
		creating_v[creating_n++] = (struct creating){name, mode, 0};
	}
	creating_v[i].count++;
out:
	pthread_mutex_unlock(&creating_lock);
	return rc;
}

void handle_creating_remove(const char *key)
{
	size_t i;

	pthread_mutex_lock(&creating_lock);
	for (i = 0; i < creating_n; i++) {
		if (strcmp(creating_v[i].name, key))
			continue;
		if (--creating_v[i].count == 0) {
			free(creating_v[i].name);
			creating_v[i] = creating_v[--creating_n];
		}
		break;
	}
	pthread_mutex_unlock(&creating_lock);
}

bool handle_creating(const char *key, mode_t *mode)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&creating_lock);
	for (i = 0; i < creating_n && !found; i++) {
		if (!strcmp(creating_v[i].name, key)) {
			found = true;
			*mode = creating_v[i].mode;
		}
	}
	pthread_mutex_unlock(&creating_lock);
	return found;
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
