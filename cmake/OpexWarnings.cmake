# The warning set every opex target compiles with (see STYLE.md §10).
set(OPEX_WARNING_FLAGS
  -Wall -Wextra -Wpedantic -Wstrict-prototypes -Wmissing-prototypes
  -Wold-style-definition -Wshadow -Wconversion -Wpointer-arith -Wcast-qual
  -Wwrite-strings -Wformat=2 -Wundef -Wvla -Wimplicit-fallthrough)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  list(APPEND OPEX_WARNING_FLAGS -Wjump-misses-init)
endif()

# Apply opex's flags to one target: warnings, -Werror when asked, sanitizers,
# and the repository root on the include path ("kb/kb.h").
function(opex_target_flags target)
  target_compile_options(${target} PRIVATE ${OPEX_WARNING_FLAGS})
  if(OPEX_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
  opex_target_sanitize(${target})
endfunction()
