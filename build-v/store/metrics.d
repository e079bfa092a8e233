build-v/store/metrics.o: store/metrics.c store/db.h store/store.h \
 lib/caller.h lib/units.h lib/err.h lib/metric_lines.h lib/timeutil.h \
 lib/stats.h lib/sketch.h lib/strbuf.h store/trail.h lib/format.h \
 lib/parse.h
store/db.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/err.h:
lib/metric_lines.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
store/trail.h:
lib/format.h:
lib/parse.h:
