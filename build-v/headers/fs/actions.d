build-v/headers/fs/actions.o: build-v/headers/fs/actions.c fs/actions.h \
 store/store.h lib/caller.h lib/units.h lib/err.h lib/metric_lines.h \
 lib/timeutil.h lib/stats.h lib/sketch.h lib/strbuf.h
fs/actions.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/err.h:
lib/metric_lines.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
