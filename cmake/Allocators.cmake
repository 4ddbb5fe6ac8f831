# Locate the preloadable shared library of each optional allocator. Each one
# found becomes a compile definition ALLOCSCOPE_LIB_<NAME>="path" and a line in
# the configure summary. A missing one fails the configuration, so that a
# build (or a CI run) never silently drops an allocator; configure with
# -DALLOCSCOPE_ALLOW_MISSING_ALLOCATORS=ON to build without it (a warning).
option(ALLOCSCOPE_ALLOW_MISSING_ALLOCATORS "Build without the allocators that are not installed" OFF)
set(ALLOCSCOPE_ALLOCATOR_DEFS "")

macro(allocscope_find_allocator name libname pkg)
  set(_path "")
  if(NOT "${pkg}" STREQUAL "")
    pkg_check_modules(_pc_${name} QUIET ${pkg})
    if(_pc_${name}_FOUND)
      find_library(_lib_${name} NAMES ${libname} HINTS ${_pc_${name}_LIBRARY_DIRS})
    endif()
  endif()
  if(NOT _lib_${name})
    find_library(_lib_${name} NAMES ${libname})
  endif()
  if(_lib_${name})
    # Preload the real SONAME file, not the dev symlink.
    get_filename_component(_path "${_lib_${name}}" REALPATH)
    string(TOUPPER ${name} _up)
    list(APPEND ALLOCSCOPE_ALLOCATOR_DEFS "ALLOCSCOPE_LIB_${_up}=\"${_path}\"")
    if(_pc_${name}_VERSION)
      list(APPEND ALLOCSCOPE_ALLOCATOR_DEFS "ALLOCSCOPE_VER_${_up}=\"${_pc_${name}_VERSION}\"")
    endif()
    message(STATUS "allocscope: allocator ${name}: ${_path}")
  else()
    if(ALLOCSCOPE_ALLOW_MISSING_ALLOCATORS)
      message(WARNING "allocscope: allocator ${name} not found (install ${libname}); it is left out")
    else()
      message(FATAL_ERROR "allocscope: allocator ${name} not found: install ${libname} (scripts/bootstrap), "
                          "or configure with -DALLOCSCOPE_ALLOW_MISSING_ALLOCATORS=ON to build without it")
    endif()
  endif()
endmacro()

allocscope_find_allocator(jemalloc jemalloc jemalloc)
allocscope_find_allocator(tcmalloc tcmalloc_minimal libtcmalloc_minimal)
allocscope_find_allocator(mimalloc mimalloc "")
find_package(mimalloc QUIET)
if(mimalloc_FOUND AND mimalloc_VERSION)
  list(APPEND ALLOCSCOPE_ALLOCATOR_DEFS "ALLOCSCOPE_VER_MIMALLOC=\"${mimalloc_VERSION}\"")
endif()
