from penholder.cli.main import main

main()
