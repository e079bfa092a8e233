build-v/lib/pattern_lex.o: lib/pattern_lex.c lib/parse.h lib/err.h \
 lib/pattern_impl.h lib/pattern.h
lib/parse.h:
lib/err.h:
lib/pattern_impl.h:
lib/pattern.h:
