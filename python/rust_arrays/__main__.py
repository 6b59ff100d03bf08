from rust_arrays.cli import main

raise SystemExit(main())
