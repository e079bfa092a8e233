build-v/tests/unit/test_parse: tests/unit/test_parse.c lib/parse.h \
 lib/err.h lib/format.h lib/strbuf.h
lib/parse.h:
lib/err.h:
lib/format.h:
lib/strbuf.h:
