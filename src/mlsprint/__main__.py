from mlsprint.cli.main import main

main()
