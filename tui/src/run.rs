//! The event loop: input events, answers from the server and the clock go
//! through `update`; the screen is drawn from the state after each. It takes
//! any stream of input events, so tests type into it as a person would.

use crate::app::{self, App, Command, Msg};
use crate::client::Client;
use crate::ui;
use crossterm::event::Event;
use desk137_domain::clock::Clock;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use std::io;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_stream::{Stream, StreamExt};

/// The header clock shows minutes; a tick a second keeps it on time.
const TICK: Duration = Duration::from_secs(1);

fn to_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

fn backend_error<E: std::error::Error + Send + Sync + 'static>(e: E) -> io::Error {
    io::Error::other(e)
}

/// The supervisors see who left; a server that does not answer soon does
/// not hold the exit.
async fn sign_out(client: &Client) {
    let call = crate::app::rpc::Call::SignOut(desk137_proto::v1::SignOutRequest {});
    match tokio::time::timeout(SIGN_OUT_WAIT, client.call(call)).await {
        Ok(answer) => {
            if let Some(e) = answer.error() {
                tracing::debug!(code = ?e.code, "sign-out refused");
            }
        }
        Err(_) => tracing::debug!("sign-out unanswered"),
    }
}

const SIGN_OUT_WAIT: Duration = Duration::from_secs(1);

/// Runs until the user quits or the input ends. `observe` sees every frame
/// drawn, with the state it was drawn from.
pub async fn run<B, S, F>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut input: S,
    client: &Client,
    replies: &mut UnboundedReceiver<Msg>,
    clock: &dyn Clock,
    mut observe: F,
) -> io::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    S: Stream<Item = io::Result<Event>> + Unpin,
    F: FnMut(&App, &Buffer),
{
    let size = terminal.size().map_err(backend_error)?;
    app::update(app, Msg::Resize(size.width, size.height));
    app::update(app, Msg::Tick(clock.now_ms()));
    for c in app.start() {
        if let Command::Send(r) = c {
            client.send(r);
        }
    }
    let (feedback, mut fed_back) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let stop = |c| match c {
        Command::Send(r) => {
            client.send(r);
            false
        }
        Command::Subscribe { id, stream } => {
            client.subscribe(id, stream);
            false
        }
        Command::Unsubscribe { id } => {
            client.unsubscribe(id);
            false
        }
        Command::Quit => true,
        Command::CompletePath { to, typed } => {
            let completion = crate::complete::complete_path(&typed);
            // Straight back into the loop, as an answer would come.
            let _ = feedback.send(Msg::Completed { to, completion });
            false
        }
        Command::Upload { to, case_id, path } => {
            client.upload(to, case_id, path);
            false
        }
        Command::OpenAttachment {
            to,
            case_id,
            attachment,
        } => {
            client.open_attachment(to, case_id, attachment);
            false
        }
        Command::SwitchUser(user) => {
            if let Err(e) = client.set_token(&user) {
                tracing::warn!(error = %e, "switching the demo user");
            }
            // The health watch speaks for the new user too.
            client.unsubscribe(crate::app::stream::HEALTH);
            client.unsubscribe(crate::app::stream::FEED);
            false
        }
        Command::SendAs { user, request } => {
            if let Err(e) = client.send_as(&user, request) {
                tracing::warn!(error = %e, "a call as another demo user");
            }
            false
        }
        // Settled inside `update`; never comes out of it.
        _ => false,
    };
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        let frame = terminal.draw(|f| ui::draw(f, app)).map_err(backend_error)?;
        observe(app, frame.buffer);
        let msg = tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(ev)) => match to_msg(ev) {
                    Some(m) => m,
                    None => continue,
                },
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "reading the terminal");
                    continue;
                }
                None => return Ok(()),
            },
            Some(m) = replies.recv() => m,
            Some(m) = fed_back.recv() => m,
            _ = tick.tick() => Msg::Tick(clock.now_ms()),
        };
        if app::update(app, msg).into_iter().any(stop) {
            client.unsubscribe(crate::app::stream::HEALTH);
            client.unsubscribe(crate::app::stream::FEED);
            if app.session.is_some() {
                sign_out(client).await;
            }
            return Ok(());
        }
    }
}
