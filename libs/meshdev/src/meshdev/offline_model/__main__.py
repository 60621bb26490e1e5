from meshdev.offline_model.server import main

main()
