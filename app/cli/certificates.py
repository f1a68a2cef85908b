"""`lentera certificates ...`: the certificate signing key, for operators."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.config import get_settings
from app.learning import signing

certificates_cli = typer.Typer(
    help="Certificate signing: create a self-signed demo key (PKCS#12) for trials.",
    no_args_is_help=True,
    add_completion=False,
)


@certificates_cli.command("make-demo-key")
def make_demo_key(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="PKCS#12 file to write (default: LENTERA_DATA_DIR/signing_key.p12).",
        ),
    ] = None,
    common_name: Annotated[
        str, typer.Option(help="Who the self-signed certificate names as the signer.")
    ] = "Lentera DEMO - bukan tanda tangan resmi",
    passphrase: Annotated[
        bool, typer.Option("--passphrase", help="Ask for a passphrase to protect the file.")
    ] = False,
) -> None:
    """Create a self-signed PKCS#12 signing key for trials and demos (never overwrites)."""
    path = output or get_settings().data_dir / signing.DEMO_KEY_FILE
    secret = None
    if passphrase:
        secret = str(typer.prompt("Passphrase", hide_input=True, confirmation_prompt=True))
    try:
        signing.make_demo_key(path, common_name=common_name, passphrase=secret)
    except FileExistsError:
        typer.secho(f"{path} exists already; it was left as it is.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Self-signed signing key written to {path} (readable by its owner only).")
    typer.echo(
        f"Use it with LENTERA_SIGNING_KEY_PATH={path}"
        + (" and LENTERA_SIGNING_KEY_PASSPHRASE." if secret else ".")
    )
    typer.echo(
        "A self-signed key proves a certificate was not changed, not who signed it: for "
        "official certificates use a key issued by a certification authority "
        "(docs/deployment.md)."
    )
