build-v/tests/unit/test_filter_def: tests/unit/test_filter_def.c \
 lib/filter.h lib/err.h lib/parse.h lib/pattern.h lib/strbuf.h
lib/filter.h:
lib/err.h:
lib/parse.h:
lib/pattern.h:
lib/strbuf.h:
