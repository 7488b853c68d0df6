# OPEX_SANITIZE=address,undefined builds every target with those sanitizers,
# failing hard on the first report.
function(opex_target_sanitize target)
  if(OPEX_SANITIZE)
    target_compile_options(${target} PRIVATE
      -fsanitize=${OPEX_SANITIZE} -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${OPEX_SANITIZE})
  endif()
endfunction()
