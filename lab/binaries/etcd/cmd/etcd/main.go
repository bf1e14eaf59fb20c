// The etcd server binary: the same entry point as upstream's go.etcd.io/etcd/v3 main package,
// which cannot be built as a dependency because its module uses local replace directives.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
