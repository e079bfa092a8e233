/* handle: per-open-file state and the shared line joiner. */
#include "fs/handle.h"
#include "fs/render.h"
#include "fs/render_group.h"

/*
 * Every open handle, so that those the kernel never releases end too.
 * open_lock guards the list (open_handles, each handle's prev and next);
 * it comes first in fs/'s lock order (fs/handle.h): a rename or rm walks
 * the list taking each handle's lock under it.
 */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle *open_handles; /* open_lock */

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

int64_t handle_group_size(const char *path, pid_t tgid)
{
	struct handle *h;
	int64_t size = -ENOENT;

	pthread_mutex_lock(&open_lock);
	for (h = open_handles; h; h = h->next)
		if (h->group && h->opener == tgid && h->view_path &&
		    !strcmp(h->view_path, path))
			break; /* the list is newest first */
	if (h)
		pthread_mutex_lock(&h->lock);
	pthread_mutex_unlock(&open_lock);
	if (!h)
		return size;
	/* Its release waits for this lock before it frees the handle. */
	size = render_group_size(h->group);
	pthread_mutex_unlock(&h->lock);
	return size;
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
	render_group_free(h->group);
	free(h->view_path);
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
	struct node_owner owner;
	unsigned count; /* handles that made it and are still open */
};

/*
 * creating_lock guards the registry (creating_v, its size and each
 * entry). Taken under a handle's lock (release drops its entry), never
 * the other way; nothing is taken under it.
 */
static pthread_mutex_t creating_lock = PTHREAD_MUTEX_INITIALIZER;
static struct creating *creating_v;	/* creating_lock */
static size_t creating_n, creating_cap; /* creating_lock */

/* The entry of key, or NULL. creating_lock held. */
static struct creating *creating_find(const char *key)
{
	size_t i;

	for (i = 0; i < creating_n; i++)
		if (!strcmp(creating_v[i].name, key))
			return &creating_v[i];
	return NULL;
}

/* A new entry for key, count 0. NULL when out of memory. Lock held. */
static struct creating *creating_new(const char *key,
				     const struct node_owner *owner)
{
	char *name = strdup(key);

	if (name && creating_n == creating_cap) {
		size_t cap = creating_cap ? creating_cap * 2 : 8;
		struct creating *v = realloc(creating_v, cap * sizeof(*v));

		if (v) {
			creating_v = v;
			creating_cap = cap;
		}
	}
	if (!name || creating_n == creating_cap) {
		free(name);
		return NULL;
	}
	creating_v[creating_n] = (struct creating){name, *owner, 0};
	return &creating_v[creating_n++];
}

/* Forget entry c. Lock held. */
static void creating_drop(struct creating *c)
{
	free(c->name);
	*c = creating_v[--creating_n];
}

int handle_creating_add(const char *key, const struct node_owner *owner)
{
	struct creating *c;

	pthread_mutex_lock(&creating_lock);
	c = creating_find(key);
	if (!c)
		c = creating_new(key, owner);
	if (c)
		c->count++;
	pthread_mutex_unlock(&creating_lock);
	return c ? 0 : -ENOMEM;
}

void handle_creating_remove(const char *key)
{
	struct creating *c;

	pthread_mutex_lock(&creating_lock);
	c = creating_find(key);
	if (c && --c->count == 0)
		creating_drop(c);
	pthread_mutex_unlock(&creating_lock);
}

bool handle_creating(const char *key, struct node_owner *owner)
{
	struct creating *c;

	pthread_mutex_lock(&creating_lock);
	c = creating_find(key);
	if (c)
		*owner = c->owner;
	pthread_mutex_unlock(&creating_lock);
	return c != NULL;
}

int handle_creating_set_owner(const char *key, uid_t uid, gid_t gid,
			      mode_t mode)
{
	struct creating *c;

	pthread_mutex_lock(&creating_lock);
	c = creating_find(key);
	if (c && uid != (uid_t)-1)
		c->owner.uid = uid;
	if (c && gid != (gid_t)-1)
		c->owner.gid = gid;
	if (c && mode != (mode_t)-1)
		c->owner.mode = mode & 07777;
	pthread_mutex_unlock(&creating_lock);
	return c ? 0 : -ENOENT;
}

/*
 * The registry's part of a rename: from's entry becomes to's (joining
 * to's, if that is being created too). 0 or -ENOMEM.
 */
static int creating_rename(const char *from_key, const char *to_key)
{
	struct creating *c, *target;
	char *name;
	int rc = 0;

	pthread_mutex_lock(&creating_lock);
	c = creating_find(from_key);
	target = c ? creating_find(to_key) : NULL;
	if (target) {
		target->count += c->count;
		creating_drop(c);
	} else if (c) {
		name = strdup(to_key);
		if (name) {
			free(c->name);
			c->name = name;
		}
		rc = name ? 0 : -ENOMEM;
	}
	pthread_mutex_unlock(&creating_lock);
	return rc;
}

void handle_creating_forget(enum handle_kind kind, const char *key)
{
	struct creating *c;
	struct handle *h;

	pthread_mutex_lock(&creating_lock);
	c = creating_find(key);
	if (c)
		creating_drop(c);
	pthread_mutex_unlock(&creating_lock);
	/* Lock order: open_lock, then a handle's lock. */
	pthread_mutex_lock(&open_lock);
	for (h = open_handles; h; h = h->next) {
		if (h->kind != kind || !h->creating || strcmp(h->creating, key))
			continue;
		pthread_mutex_lock(&h->lock);
		h->removed = true;
		free(h->creating); /* its entry is gone: nothing to release */
		h->creating = NULL;
		pthread_mutex_unlock(&h->lock);
	}
	pthread_mutex_unlock(&open_lock);
}

/* Set *field to a copy of value. 0 or -ENOMEM (*field unchanged). */
static int replace_string(char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

int handle_rename(enum handle_kind kind, const char *from, const char *to,
		  const char *from_key, const char *to_key)
{
	struct handle *h;
	int rc = creating_rename(from_key, to_key);

	/* Lock order: open_lock, then a handle's lock. */
	pthread_mutex_lock(&open_lock);
	for (h = open_handles; h; h = h->next) {
		if (h->kind != kind)
			continue;
		pthread_mutex_lock(&h->lock);
		if (h->name && !strcmp(h->name, from) &&
		    replace_string(&h->name, to))
			rc = -ENOMEM;
		if (h->creating && !strcmp(h->creating, from_key) &&
		    replace_string(&h->creating, to_key))
			rc = -ENOMEM;
		pthread_mutex_unlock(&h->lock);
	}
	pthread_mutex_unlock(&open_lock);
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
