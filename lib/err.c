/* err: fixed-size error messages that accompany negative errnos. */
#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_set(struct err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void err_prefix(struct err *err, const char *fmt, ...)
{
	char prefix[ERR_MSG_MAX];
	char old[ERR_MSG_MAX];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation is the documented behaviour: keep the message's head. */
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) < 0)
		err->msg[0] = '\0';
}

/* Room kept at the end of a list's message for "(and N more)". */
#define ERR_LIST_TAIL 32

void err_list_init(struct err_list *list, struct err *err)
{
	list->err = err;
	list->count = 0;
	list->dropped = 0;
	if (err)
		err->msg[0] = '\0';
}

void err_list_add(struct err_list *list, const struct err *one)
{
	size_t used, add;

	list->count++;
	if (!list->err)
		return;
	used = strlen(list->err->msg);
	add = strlen(one->msg) + (used ? 1 : 0);
	/* A first line too long for the list is cut, as err_set cuts. */
	if (used &&
	    (list->dropped || used + add >= ERR_MSG_MAX - ERR_LIST_TAIL)) {
		list->dropped++;
		return;
	}
	snprintf(list->err->msg + used, ERR_MSG_MAX - ERR_LIST_TAIL - used,
		 "%s%s", used ? "\n" : "", one->msg);
}

unsigned err_list_finish(struct err_list *list)
{
	size_t used;

	if (list->err && list->dropped) {
		used = strlen(list->err->msg);
		snprintf(list->err->msg + used, ERR_MSG_MAX - used,
			 "%s(and %u more)", used ? "\n" : "", list->dropped);
	}
	return list->count;
}
