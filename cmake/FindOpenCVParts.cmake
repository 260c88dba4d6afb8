# FindOpenCVParts - locate the OpenCV 4 component libraries Debian ships as
# separate -dev packages (libopencv-core-dev, ...). Those packages carry no
# OpenCVConfig.cmake and no opencv4.pc (only the libopencv-dev meta package
# does), so find headers and libraries directly.
# Defines imported targets OpenCVParts::<component>.
find_path(OpenCVParts_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4)
set(_ocv_missing "")
foreach(_c IN LISTS OpenCVParts_FIND_COMPONENTS)
  find_library(OpenCVParts_${_c}_LIBRARY NAMES opencv_${_c})
  if(OpenCVParts_${_c}_LIBRARY AND OpenCVParts_INCLUDE_DIR)
    set(OpenCVParts_${_c}_FOUND TRUE)
    if(NOT TARGET OpenCVParts::${_c})
      add_library(OpenCVParts::${_c} UNKNOWN IMPORTED)
      set_target_properties(OpenCVParts::${_c} PROPERTIES
        IMPORTED_LOCATION "${OpenCVParts_${_c}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${OpenCVParts_INCLUDE_DIR}")
    endif()
  endif()
endforeach()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OpenCVParts REQUIRED_VARS OpenCVParts_INCLUDE_DIR HANDLE_COMPONENTS)
