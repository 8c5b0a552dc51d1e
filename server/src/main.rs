//! The `eventloom` command: `serve` runs the web app.

use clap::{Parser, Subcommand};
use server::{Application, Settings, cli, telemetry};
use std::{path::PathBuf, process::ExitCode};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "eventloom",
    version,
    about = "Design, check and apply AWS Lambda event wiring."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (migrations are applied at start-up).
    Serve(Settings),
    /// Run an apply worker on its own, for scaling out (turn the server's off with EVENTLOOM_WORKER=false).
    Worker(server::config::WorkerSettings),
    /// Check a graph file; exits 1 when there are error findings.
    Validate {
        /// The graph (JSON, schema 1).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: cli::ReportFormat,
    },
    /// Print the AWS calls that make live state (from --observed) match a graph file.
    Plan {
        /// The graph (JSON, schema 1).
        file: PathBuf,
        /// Live state, as JSON of the `Observed` document.
        #[arg(long)]
        observed: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: cli::PlanFormat,
    },
    /// Print the graph document's JSON Schema.
    Schema,
    /// Print an example graph: the starter draft, or a generated one of about --nodes nodes.
    Example {
        /// Generate a graph of about this many nodes instead of the starter draft.
        #[arg(long)]
        nodes: Option<usize>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The offline commands need no runtime, database or network.
    match cli.command {
        Command::Validate { file, format } => {
            return match cli::validate(&file, format) {
                Ok((out, has_errors)) => {
                    print!("{out}");
                    if has_errors {
                        ExitCode::FAILURE
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => {
                    eprintln!("eventloom: {e:#}");
                    ExitCode::from(2)
                }
            };
        }
        Command::Plan {
            file,
            observed,
            format,
        } => {
            return match cli::plan(&file, &observed, format) {
                Ok((out, blocked)) => {
                    print!("{out}");
                    if blocked {
                        ExitCode::FAILURE
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => {
                    eprintln!("eventloom: {e:#}");
                    ExitCode::from(2)
                }
            };
        }
        Command::Schema => {
            println!("{}", wiring::schema::graph_schema());
            return ExitCode::SUCCESS;
        }
        Command::Example { nodes } => {
            let graph = match nodes {
                Some(n) => wiring::examples::generated(n),
                None => wiring::examples::thumbnail(),
            };
            println!("{}", graph.to_json());
            return ExitCode::SUCCESS;
        }
        Command::Serve(_) | Command::Worker(_) => {}
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("eventloom: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(settings) => serve(settings).await,
            Command::Worker(settings) => worker(settings).await,
            _ => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("eventloom: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    telemetry::init();
    tracing::debug!(?settings, "starting");
    let app = Application::build(settings).await?;
    server::startup::spawn_housekeeping(app.service());
    tracing::info!("listening on http://{}", app.addr());
    app.run_until(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn worker(settings: server::config::WorkerSettings) -> anyhow::Result<()> {
    telemetry::init();
    settings
        .deploy
        .allowed_modes()
        .map_err(|e| anyhow::anyhow!(e))?;
    let pool =
        server::store::connect_url(&settings.database_url, settings.db_max_connections).await?;
    server::store::migrate(&pool).await?;
    let aws = server::deploy::AwsContext {
        sandbox_endpoint: settings.sandbox_endpoint.clone(),
        quota: settings.deploy.quota(),
        pacing: None, // the worker paces through its own database pool
    };
    server::deploy::worker::Worker::new(pool, aws, settings.deploy.worker_config())
        .run(shutdown_signal())
        .await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
