from depthviz.cli import main

raise SystemExit(main())
