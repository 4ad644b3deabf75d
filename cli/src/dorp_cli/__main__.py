from dorp_cli.main import main

main()
