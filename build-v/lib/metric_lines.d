build-v/lib/metric_lines.o: lib/metric_lines.c lib/metric_lines.h \
 lib/err.h lib/timeutil.h lib/format.h lib/strbuf.h lib/parse.h
lib/metric_lines.h:
lib/err.h:
lib/timeutil.h:
lib/format.h:
lib/strbuf.h:
lib/parse.h:
