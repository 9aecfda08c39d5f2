# SPDX-License-Identifier: GPL-2.0
#
# cmake -DNM=... -DFIO=... -DENGINE=... -DSTAMP=... -P check-symbols.cmake
#
# fio loads an engine with RTLD_LAZY: a function the engine calls that the
# fio executable does not export would only fail, fatally, when first
# called. So every symbol the engine needs and no library it links gives
# (the unversioned undefined ones) must be among fio's dynamic symbols.

execute_process(COMMAND "${NM}" -D --undefined-only "${ENGINE}"
	OUTPUT_VARIABLE _undef RESULT_VARIABLE _rc)
if(_rc)
	message(FATAL_ERROR "fio engine: ${NM} -D ${ENGINE} failed")
endif()
execute_process(COMMAND "${NM}" -D --defined-only "${FIO}"
	OUTPUT_VARIABLE _def RESULT_VARIABLE _rc)
if(_rc)
	message(FATAL_ERROR "fio engine: ${NM} -D ${FIO} failed")
endif()
string(REGEX MATCHALL "[^\n]+" _undef "${_undef}")
set(_missing)
set(_used)
foreach(_l IN LISTS _undef)
	string(REGEX MATCH "^[ \t]*([wUv])[ \t]+([^ \t@]+)(@.*)?$" _m "${_l}")
	if(NOT _m OR CMAKE_MATCH_3 OR CMAKE_MATCH_1 STREQUAL "w")
		continue()	# versioned (a library's) or weak
	endif()
	set(_s ${CMAKE_MATCH_2})
	if(_def MATCHES "[ \t][TDBRVW][ \t]+${_s}(\n|$)")
		list(APPEND _used ${_s})
	else()
		list(APPEND _missing ${_s})
	endif()
endforeach()
if(_missing)
	message(FATAL_ERROR "fio engine: ${ENGINE} needs symbols that ${FIO} does not export: ${_missing}")
endif()
file(WRITE "${STAMP}" "from fio: ${_used}\n")
