"""Screenshots of every page over a realistic store (simulator + synthetic NFC-e), offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.screenshots [OUT_DIR]

Writes OUT_DIR/ponte-window.png (Vendas) and ponte-window-<page>.png (default OUT_DIR: /tmp).
Not a test: a tool to look at the window the way a store manager will.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.bling.auth import token_set_from_response
from app.bling.connect import open_api
from app.bling.throttle import UNLIMITED
from app.config import AppPaths
from app.credentials import ClientCredentials, CredentialStore
from app.memory_keyring import MemoryKeyring
from app.simulator import SimulatorConfig, demo_catalog, start_simulator
from app.sources.generator import catalog_from, write_notes
from app.store.db import close_database, open_database
from app.store.models import Deposit, StoreLocation
from app.store.settings import XML_FOLDERS, set_setting
from app.sync import mappings
from app.sync.engine import SyncEngine
from app.timeutil import utcnow
from ui.app import DesktopApp

PAGES = ("vendas", "registro", "pagamentos", "lojas", "sincronizacao")


def main(out_dir: Path) -> int:
    data = Path(tempfile.mkdtemp(prefix="ponte-shots-"))
    paths = AppPaths(data)
    open_database(paths)
    with start_simulator(SimulatorConfig(seed="demo", auto_approve=True)) as sim:
        credentials = CredentialStore.for_url(sim.base_url, backend=MemoryKeyring())
        credentials.save_client(ClientCredentials(sim.config.client_id, sim.config.client_secret))
        credentials.save_tokens(token_set_from_response(sim.issue_tokens(), utcnow()))
        xml_dir = data / "pdv-xml"
        write_notes(xml_dir, catalog_from(demo_catalog()), 24, seed=7, cancel_ratio=0.1)
        set_setting(XML_FOLDERS, [str(xml_dir)])
        time.sleep(2.5)  # intake leaves files alone while they may still be being written
        engine = SyncEngine(
            lambda: open_api(
                sim.base_url, data_dir=data, credentials=credentials, limits=UNLIMITED
            ),
            paths=paths,
        )
        engine.run_cycle()  # reads the notes, pulls the catalogue: sales are held
        mappings.compute_suggestions()
        mappings.accept_suggestions()
        physical = [d for d in Deposit.select().order_by(Deposit.id) if not d.is_default]
        first_store = StoreLocation.select().order_by(StoreLocation.cnpj).first()
        if first_store is not None and physical:
            mappings.set_store_deposit(first_store.cnpj, physical[0].id)
        engine.run_cycle()  # the first store's sales go; the others wait for a deposit

        desktop = DesktopApp(engine, use_tray=False)
        window = desktop.window
        window.show()
        window.refresh_all()
        out_dir.mkdir(parents=True, exist_ok=True)
        for index, name in enumerate(PAGES):
            window.tabs.setCurrentIndex(index)
            window.refresh_current()
            desktop.application.processEvents()
            window.grab().save(str(out_dir / f"ponte-window-{name}.png"))
        window.tabs.setCurrentIndex(0)
        window.sales_page.view.selectRow(0)  # the detail line under the table
        desktop.application.processEvents()
        window.grab().save(str(out_dir / "ponte-window.png"))
        desktop.quit()
    close_database()
    print(f"Capturas em {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp")))
