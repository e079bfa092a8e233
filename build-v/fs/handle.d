build-v/fs/handle.o: fs/handle.c fs/handle.h store/store.h lib/caller.h \
 lib/units.h lib/err.h lib/metric_lines.h lib/timeutil.h lib/stats.h \
 lib/sketch.h lib/strbuf.h fs/render.h fs/view.h
fs/handle.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/err.h:
lib/metric_lines.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
fs/render.h:
fs/view.h:
