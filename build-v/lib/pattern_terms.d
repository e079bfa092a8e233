build-v/lib/pattern_terms.o: lib/pattern_terms.c lib/pattern_impl.h \
 lib/err.h lib/pattern.h
lib/pattern_impl.h:
lib/err.h:
lib/pattern.h:
