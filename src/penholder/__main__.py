from penholder.cli import main

main()
