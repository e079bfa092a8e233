build-v/headers/fs/render.o: build-v/headers/fs/render.c fs/render.h \
 fs/view.h lib/err.h lib/timeutil.h lib/stats.h lib/sketch.h \
 store/store.h lib/caller.h lib/units.h lib/metric_lines.h lib/strbuf.h
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
