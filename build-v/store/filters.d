build-v/store/filters.o: store/filters.c store/db.h store/store.h \
 lib/caller.h lib/units.h lib/err.h lib/metric_lines.h lib/timeutil.h \
 lib/stats.h lib/sketch.h lib/strbuf.h store/filters.h store/named.h \
 store/rollups.h store/trail.h lib/filter.h lib/parse.h lib/pattern.h \
 lib/perm.h
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
store/filters.h:
store/named.h:
store/rollups.h:
store/trail.h:
lib/filter.h:
lib/parse.h:
lib/pattern.h:
lib/perm.h:
