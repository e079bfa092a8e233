build-v/store/checkpoint.o: store/checkpoint.c store/checkpoint.h \
 store/space.h
store/checkpoint.h:
store/space.h:
