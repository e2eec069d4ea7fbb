# The ctest install.doc_example (cmake -P): the first ```c block of docs/integration.md is
# consumers/example.c, line for line, so that the example a reader copies is the program that
# install.consumers builds and runs. Variables: DOC, EXAMPLE.
cmake_minimum_required(VERSION 3.20)
file(READ ${DOC} doc)
file(READ ${EXAMPLE} example)
string(FIND "${doc}" "\n```c\n" start)
if(start EQUAL -1)
  message(FATAL_ERROR "install.doc_example: ${DOC} has no ```c block")
endif()
math(EXPR start "${start} + 6")
string(SUBSTRING "${doc}" ${start} -1 rest)
string(FIND "${rest}" "\n```\n" end)
if(end EQUAL -1)
  message(FATAL_ERROR "install.doc_example: the ```c block of ${DOC} does not end")
endif()
math(EXPR end "${end} + 1")
string(SUBSTRING "${rest}" 0 ${end} block)
if(NOT block STREQUAL example)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/doc_example.c "${block}")
  message(FATAL_ERROR "install.doc_example: the ```c block of ${DOC} is not ${EXAMPLE}: copy the "
                      "file into the block (the block is in ${CMAKE_CURRENT_BINARY_DIR}/doc_example.c; "
                      "diff it with the file)")
endif()
message(STATUS "install.doc_example: the example of ${DOC} is ${EXAMPLE}")
