# The web page (web/, docs/web.md), driven from the top-level build (option PMMU_WITH_WEB).
#
# Targets
#   pmmu_web   the emscripten build of web/CMakeLists.txt (its own CMake project: another
#              compiler) in ${CMAKE_BINARY_DIR}/web-build; the page is assembled in
#              ${CMAKE_BINARY_DIR}/web (index.html, style.css, app.js, pmmu-run.js, pmmu.js)
# Tests (ctest -L web)
#   web.wasm_matches_native   every scenario, native pmmu against the module under node
#   web.browser               the page in headless chromium (web/tests/browser_test.py);
#                             its screenshots in ${CMAKE_BINARY_DIR}/web-test/
# Target web-screenshot: the same test, writing docs/web.png (the committed screenshot)
include(ExternalProject)

find_program(PMMU_EMCMAKE emcmake)
find_program(PMMU_NODE NAMES nodejs node)
find_program(PMMU_CHROMIUM NAMES chromium chromium-browser)
# Debian's python3 first: python3-websocket is installed for it (a python3 of pyenv or a venv
# earlier on PATH would not see it).
find_program(PMMU_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(PMMU_PYTHON3 python3)
if(NOT PMMU_EMCMAKE OR NOT PMMU_NODE OR NOT PMMU_CHROMIUM OR NOT PMMU_PYTHON3)
  message(FATAL_ERROR "PMMU_WITH_WEB needs emscripten (emcmake), node, chromium and python3: "
                      "run scripts/install-deps, or configure with -DPMMU_WITH_WEB=OFF")
endif()
execute_process(COMMAND ${PMMU_PYTHON3} -c "import websocket" RESULT_VARIABLE _ws
                OUTPUT_QUIET ERROR_QUIET)
if(NOT _ws EQUAL 0)
  message(FATAL_ERROR "PMMU_WITH_WEB: the browser test needs python3-websocket: run "
                      "scripts/install-deps, or configure with -DPMMU_WITH_WEB=OFF")
endif()

set(PMMU_WEB_SITE ${CMAKE_BINARY_DIR}/web)
# emcc's optimiser needs Debian's JavaScript modules (acorn, ...) on node's path.
set(_web_env ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
# With make, the inner build is called as $(MAKE): make then hands it its jobserver, so the
# inner build shares the outer -jN (another command would get "jobserver unavailable: using
# -j1. Add '+' to parent make rule"). Other generators build it with cmake --build.
if(CMAKE_GENERATOR MATCHES "Make")
  set(_web_build ${_web_env} $(MAKE))
else()
  set(_web_build ${_web_env} ${CMAKE_COMMAND} --build <BINARY_DIR>)
endif()
ExternalProject_Add(pmmu_web
  SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}
  BINARY_DIR ${CMAKE_BINARY_DIR}/web-build
  CONFIGURE_COMMAND ${_web_env} ${PMMU_EMCMAKE} ${CMAKE_COMMAND} -S <SOURCE_DIR> -B <BINARY_DIR>
                    -G ${CMAKE_GENERATOR} -DPMMU_WEB_SITE=${PMMU_WEB_SITE}
  BUILD_COMMAND ${_web_build}
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON  # the inner build knows its own dependencies
  USES_TERMINAL_BUILD ON)

add_test(NAME web.wasm_matches_native
  COMMAND ${PMMU_NODE} ${CMAKE_CURRENT_LIST_DIR}/tests/wasm_matches_native.js
          ${PMMU_WEB_SITE}/pmmu.js $<TARGET_FILE:pmmu> ${PROJECT_SOURCE_DIR}/testbench/scenarios
  CONFIGURATIONS full)
set_tests_properties(web.wasm_matches_native PROPERTIES LABELS web
  PASS_REGULAR_EXPRESSION " 0 different\n")
# The browser test's screenshots go to the build tree (web-test/): a test never writes into the
# source tree. The committed docs/web.png is refreshed on request, by the target web-screenshot
# (cmake --build BUILD --target web-screenshot: the same test, its screenshot into docs/).
set(_web_browser_test ${PMMU_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/tests/browser_test.py
    --site ${PMMU_WEB_SITE} --pmmu $<TARGET_FILE:pmmu> --chromium ${PMMU_CHROMIUM}
    --readme ${PROJECT_SOURCE_DIR}/README.md
    --scenarios ${PROJECT_SOURCE_DIR}/testbench/scenarios
    --wasm ${CMAKE_BINARY_DIR}/web-build/wasm/pmmu.wasm)
add_test(NAME web.browser
  COMMAND ${_web_browser_test} --screenshot ${CMAKE_BINARY_DIR}/web-test/web.png
          --phone-screenshot ${CMAKE_BINARY_DIR}/web-test/web-phone.png
  CONFIGURATIONS full)
# TIMEOUT: the test stops itself (and what it started) well before, with a message.
set_tests_properties(web.browser PROPERTIES LABELS web TIMEOUT 300 RUN_SERIAL ON)
add_custom_target(web-screenshot
  COMMAND ${_web_browser_test} --screenshot ${PROJECT_SOURCE_DIR}/docs/web.png
          --phone-screenshot ${CMAKE_BINARY_DIR}/web-test/web-phone.png
  DEPENDS pmmu pmmu_web
  COMMENT "Refreshing docs/web.png from the page in headless chromium"
  VERBATIM USES_TERMINAL)
