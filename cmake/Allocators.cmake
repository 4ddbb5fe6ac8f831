option(ALLOCSCOPE_ALLOW_MISSING_ALLOCATORS "Build without the allocators that are not installed" OFF)
# The built-in allocators, one allocscope_allocator() call each, in the order
# they are listed and compared (glibc first, the reference). Included by
# allocator/adapters/CMakeLists.txt. Adding an allocator is its adapter file in
# allocator/adapters/ (which registers itself with ALLOCSCOPE_ADAPTER) plus one
# call here:
#
#   allocscope_allocator(NAME SOURCE file.cpp
#                        SYSTEM                       the process's own malloc, nothing preloaded
#                      | TARGET t                     a library built by this project
#                      | LIBRARY names... [PKG mod]   a system library, found with pkg-config
#                                                     module `mod` when given, else find_library
#                        [VERSION v])                 the version when pkg-config gives none
#
# A library that is not found fails the configuration, so that a build (or a
# CI run) never silently drops an allocator; configure with
# -DALLOCSCOPE_ALLOW_MISSING_ALLOCATORS=ON to leave it out with a warning. The
# adapter file is compiled with ALLOCSCOPE_ADAPTER_RANK (its position here),
# ALLOCSCOPE_ADAPTER_LIBRARY (the file to preload, "" for SYSTEM) and
# ALLOCSCOPE_ADAPTER_VERSION ("" when unknown).
set(_allocscope_allocator_rank 0)

function(allocscope_allocator name)
  cmake_parse_arguments(A "SYSTEM" "SOURCE;TARGET;PKG;VERSION" "LIBRARY" ${ARGN})
  math(EXPR _rank "${_allocscope_allocator_rank} + 1")
  set(_allocscope_allocator_rank ${_rank} PARENT_SCOPE)
  set(_version "${A_VERSION}")
  if(A_SYSTEM)
    set(_path "")
  elseif(A_TARGET)
    if(NOT TARGET ${A_TARGET})
      message(STATUS "allocscope: allocator ${name}: target ${A_TARGET} not built; it is left out")
      return()
    endif()
    set(_path "$<TARGET_FILE:${A_TARGET}>")
    add_dependencies(${ALLOCSCOPE_ADAPTER_TARGET} ${A_TARGET})
  else()
    if(A_PKG)
      pkg_check_modules(_pc_${name} QUIET ${A_PKG})
      if(_pc_${name}_FOUND)
        find_library(_lib_${name} NAMES ${A_LIBRARY} HINTS ${_pc_${name}_LIBRARY_DIRS})
        if(_pc_${name}_VERSION)
          set(_version "${_pc_${name}_VERSION}")
        endif()
      endif()
    endif()
    if(NOT _lib_${name})
      find_library(_lib_${name} NAMES ${A_LIBRARY})
    endif()
    if(NOT _lib_${name})
      if(NOT ALLOCSCOPE_ALLOW_MISSING_ALLOCATORS)
        message(FATAL_ERROR "allocscope: allocator ${name} not found: install ${A_LIBRARY} (scripts/bootstrap), "
                            "or configure with -DALLOCSCOPE_ALLOW_MISSING_ALLOCATORS=ON to build without it")
      endif()
      message(WARNING "allocscope: allocator ${name} not found (install ${A_LIBRARY}); it is left out")
      return()
    endif()
    # Preload the real SONAME file, not the dev symlink.
    get_filename_component(_path "${_lib_${name}}" REALPATH)
  endif()
  target_sources(${ALLOCSCOPE_ADAPTER_TARGET} PRIVATE ${A_SOURCE})
  set_source_files_properties(${A_SOURCE} PROPERTIES COMPILE_DEFINITIONS
    "ALLOCSCOPE_ADAPTER_RANK=${_rank};ALLOCSCOPE_ADAPTER_LIBRARY=\"${_path}\";ALLOCSCOPE_ADAPTER_VERSION=\"${_version}\"")
  message(STATUS "allocscope: allocator ${name}: ${_path} (version ${_version})")
endfunction()

allocscope_allocator(glibc SOURCE glibc.cpp SYSTEM)
allocscope_allocator(binmalloc SOURCE binmalloc.cpp TARGET binmalloc VERSION ${PROJECT_VERSION})
allocscope_allocator(jemalloc SOURCE jemalloc.cpp LIBRARY jemalloc PKG jemalloc)
allocscope_allocator(tcmalloc SOURCE tcmalloc.cpp LIBRARY tcmalloc_minimal PKG libtcmalloc_minimal)
find_package(mimalloc QUIET)  # its CMake package carries the version
allocscope_allocator(mimalloc SOURCE mimalloc.cpp LIBRARY mimalloc VERSION "${mimalloc_VERSION}")
# libtbbmalloc_proxy routes malloc/free/new/delete to libtbbmalloc; the .so.2
# name finds it without the -dev symlink.
allocscope_allocator(tbbmalloc SOURCE tbbmalloc.cpp LIBRARY tbbmalloc_proxy libtbbmalloc_proxy.so.2 PKG tbb)
