# OPEX_SANITIZE=address,undefined builds every target with those sanitizers,
# failing hard on the first report.
function(opex_target_sanitize target)
  if(OPEX_SANITIZE)
    target_compile_options(${target} PRIVATE
      -fsanitize=${OPEX_SANITIZE} -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${OPEX_SANITIZE})
  endif()
  # libFuzzer builds instrument every library for coverage, not only the target.
  if(OPEX_BUILD_FUZZERS)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
