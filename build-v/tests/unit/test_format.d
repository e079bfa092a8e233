build-v/tests/unit/test_format: tests/unit/test_format.c lib/format.h \
 lib/strbuf.h
lib/format.h:
lib/strbuf.h:
