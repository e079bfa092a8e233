build-v/fs/render.o: fs/render.c fs/render.h fs/view.h lib/err.h \
 lib/timeutil.h lib/stats.h lib/sketch.h store/store.h lib/caller.h \
 lib/units.h lib/metric_lines.h lib/strbuf.h lib/format.h lib/parse.h \
 lib/pattern.h
fs/render.h:
fs/view.h:
lib/err.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/metric_lines.h:
lib/strbuf.h:
lib/format.h:
lib/parse.h:
lib/pattern.h:
