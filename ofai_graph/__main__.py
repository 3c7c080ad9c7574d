from ofai_graph_cli.main import main

main()
