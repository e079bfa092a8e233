build-v/headers/lib/metric_lines.o: build-v/headers/lib/metric_lines.c \
 lib/metric_lines.h lib/err.h lib/timeutil.h
lib/metric_lines.h:
lib/err.h:
lib/timeutil.h:
