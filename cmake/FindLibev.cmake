# SPDX-License-Identifier: MIT
#
# FindLibev: libev (http://software.schmorp.de/pkg/libev.html).
#
# libev ships no pkg-config file on Debian/Ubuntu, so pkg-config is only a
# hint: the header and the library are searched for directly as well
# (Homebrew prefixes included).
#
# Result: Libev_FOUND, Libev_INCLUDE_DIR, Libev_LIBRARY and the imported
# target Libev::Libev.

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
	pkg_check_modules(PC_LIBEV QUIET libev)
endif()

find_path(Libev_INCLUDE_DIR ev.h
	HINTS ${PC_LIBEV_INCLUDE_DIRS}
	PATHS /opt/homebrew/include /usr/local/include
	PATH_SUFFIXES libev)
find_library(Libev_LIBRARY NAMES ev libev
	HINTS ${PC_LIBEV_LIBRARY_DIRS}
	PATHS /opt/homebrew/lib /usr/local/lib)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Libev
	REQUIRED_VARS Libev_LIBRARY Libev_INCLUDE_DIR)
mark_as_advanced(Libev_INCLUDE_DIR Libev_LIBRARY)

if(Libev_FOUND AND NOT TARGET Libev::Libev)
	add_library(Libev::Libev UNKNOWN IMPORTED)
	set_target_properties(Libev::Libev PROPERTIES
		IMPORTED_LOCATION "${Libev_LIBRARY}"
		INTERFACE_INCLUDE_DIRECTORIES "${Libev_INCLUDE_DIR}")
endif()
