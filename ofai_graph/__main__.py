try:
    from ofai_graph_cli.main import main
except KeyboardInterrupt:  # Ctrl-C while starting up: nothing was done yet
    raise SystemExit(130) from None

main()
