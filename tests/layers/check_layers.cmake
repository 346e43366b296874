# ctest layers_enforced (CMakeLists.txt, "one static target per layer"): a file of the models layer
# that includes a header of a lower layer builds; one that includes a higher layer's header fails
# with "No such file". Run as: cmake -DBUILD_DIR=<build> -P check_layers.cmake
foreach(probe downward wrong_way)
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target layer_probe_${probe}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${probe}_rc ${rc})
  set(${probe}_out "${out}${err}")
endforeach()
if(NOT downward_rc EQUAL 0)
  message(FATAL_ERROR "models including core/error.h should build but failed:\n${downward_out}")
endif()
if(wrong_way_rc EQUAL 0)
  message(FATAL_ERROR "models including runner/spec.h built: the layer rule is not enforced")
endif()
if(NOT wrong_way_out MATCHES "runner/spec.h: No such file")
  message(FATAL_ERROR "models including runner/spec.h failed, but not for the missing header:\n${wrong_way_out}")
endif()
message(STATUS "layers enforced: models → core builds; models → runner fails (runner/spec.h: No such file)")
