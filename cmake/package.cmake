# The install a Linux user expects: `cmake --install` and a Debian package (`cpack -G DEB` in the
# build directory) with the binary, its man page, bash and zsh completion, the docs and the
# copyright file. The man page and the completion scripts are made by the built binary itself
# (`zerospof manual`, `zerospof completion bash|zsh`), so they describe exactly what it parses.
include(GNUInstallDirs)

set(generated ${CMAKE_CURRENT_BINARY_DIR}/generated)
add_custom_command(
  OUTPUT ${generated}/zerospof.1.gz ${generated}/zerospof.bash ${generated}/_zerospof
  COMMAND ${PROJECT_SOURCE_DIR}/cmake/make_help_files.sh $<TARGET_FILE:zerospof> ${generated}
  DEPENDS zerospof ${PROJECT_SOURCE_DIR}/cmake/make_help_files.sh
  VERBATIM
  COMMENT "man page and completion scripts from zerospof itself")
add_custom_target(zerospof_help_files ALL
  DEPENDS ${generated}/zerospof.1.gz ${generated}/zerospof.bash ${generated}/_zerospof)

install(TARGETS zerospof RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${generated}/zerospof.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${generated}/zerospof.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME zerospof)
install(FILES ${generated}/_zerospof DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES README.md cmake/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zerospof)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "zerospof developers <zerospof@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "build highly available Kubernetes clusters and prove they have no single point of failure")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "zerospof writes, applies and checks the files of a highly available Kubernetes cluster
from one plan: etcd, apiservers behind a virtual IP, leader-elected controllers, the addons.
It proves the cluster has no single point of failure statically (check), on the live
cluster (status, audit) and by failing it on purpose (drill).")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The libraries come from dpkg-shlibdeps; ssh is how apply, status, audit and drill reach hosts.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "openssh-client")
# `zerospof lab` makes its hosts with these; nothing else needs them.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "systemd-container, debootstrap, iproute2, nftables")
include(CPack)
