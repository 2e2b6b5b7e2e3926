package io.memsession;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * Notices that the response is about to be committed, and runs the session commit first, so that
 * the browser's next request, on any node, already finds the session saved.
 *
 * <p>Compiled against Servlet 6.1 so that its three new {@code sendRedirect} forms are intercepted on
 * containers that have them; on a Servlet 6.0 container nothing can call those, and the class runs
 * unchanged.
 *
 * <p>A response is committed by {@code sendRedirect}, {@code sendError}, {@code flushBuffer}, a
 * flush or close of its writer or stream, the declared content length being reached, or the
 * buffer filling up. Bytes written are counted (characters at the charset's widest encoding, so the
 * count never trails the container's buffer) to see the last two coming. This class does nothing else.
 */
final class CommitAwareResponse extends HttpServletResponseWrapper {

    private final Runnable beforeCommit;
    private long written;
    private long contentLength = -1;
    private ServletOutputStream stream;
    private PrintWriter writer;

    CommitAwareResponse(HttpServletResponse response, Runnable beforeCommit) {
        super(response);
        this.beforeCommit = beforeCommit;
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        beforeCommit.run();
        super.sendRedirect(location);
    }

    @Override
    public void sendRedirect(String location, int status) throws IOException {
        beforeCommit.run();
        super.sendRedirect(location, status);
    }

    @Override
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        beforeCommit.run();
        super.sendRedirect(location, clearBuffer);
    }

    @Override
    public void sendRedirect(String location, int status, boolean clearBuffer) throws IOException {
        beforeCommit.run();
        super.sendRedirect(location, status, clearBuffer);
    }

    @Override
    public void sendError(int status) throws IOException {
        beforeCommit.run();
        super.sendError(status);
    }

    @Override
    public void sendError(int status, String message) throws IOException {
        beforeCommit.run();
        super.sendError(status, message);
    }

    @Override
    public void flushBuffer() throws IOException {
        beforeCommit.run();
        super.flushBuffer();
    }

    @Override
    public void setContentLength(int length) {
        contentLength = length;
        super.setContentLength(length);
    }

    @Override
    public void setContentLengthLong(long length) {
        contentLength = length;
        super.setContentLengthLong(length);
    }

    @Override
    public void setHeader(String name, String value) {
        trackContentLengthHeader(name, value);
        super.setHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
        trackContentLengthHeader(name, value);
        super.addHeader(name, value);
    }

    @Override
    public void setIntHeader(String name, int value) {
        trackContentLengthHeader(name, Integer.toString(value));
        super.setIntHeader(name, value);
    }

    @Override
    public void reset() {
        super.reset();
        written = 0;
        contentLength = -1;
    }

    @Override
    public void resetBuffer() {
        super.resetBuffer();
        written = 0;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (stream == null) {
            stream = new CommitAwareOutputStream(super.getOutputStream());
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            int widest = (int) Math.ceil(charset().newEncoder().maxBytesPerChar());
            writer = new CommitAwareWriter(super.getWriter(), widest);
        }
        return writer;
    }

    /** Runs the session commit if writing {@code bytes} more could commit the response. */
    private void beforeWriting(long bytes) {
        long after = written + bytes;
        boolean lengthReached = contentLength >= 0 && after >= contentLength;
        boolean bufferFull = after >= getBufferSize();
        if (!isCommitted() && (lengthReached || bufferFull)) {
            beforeCommit.run();
        }
        written = after;
    }

    private void trackContentLengthHeader(String name, String value) {
        if ("Content-Length".equalsIgnoreCase(name)) {
            if (value == null) {
                // setHeader(name, null) removes the header (Jetty's static files do it first)
                contentLength = -1;
                return;
            }
            try {
                contentLength = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                contentLength = -1;
            }
        }
    }

    private Charset charset() {
        String encoding = getCharacterEncoding();
        try {
            return encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    private final class CommitAwareOutputStream extends ServletOutputStream {
        private final ServletOutputStream delegate;

        CommitAwareOutputStream(ServletOutputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            beforeWriting(1);
            delegate.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            beforeWriting(length);
            delegate.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            beforeCommit.run();
            delegate.flush();
        }

        @Override
        public void close() throws IOException {
            beforeCommit.run();
            delegate.close();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            delegate.setWriteListener(listener);
        }
    }

    private final class CommitAwareWriter extends PrintWriter {
        private final PrintWriter delegate;
        private final int bytesPerChar;

        CommitAwareWriter(PrintWriter delegate, int bytesPerChar) {
            super(delegate);
            this.delegate = delegate;
            this.bytesPerChar = bytesPerChar;
        }

        @Override
        public void write(int c) {
            beforeWriting(bytesPerChar);
            delegate.write(c);
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            beforeWriting((long) length * bytesPerChar);
            delegate.write(chars, offset, length);
        }

        @Override
        public void write(String text, int offset, int length) {
            beforeWriting((long) length * bytesPerChar);
            delegate.write(text, offset, length);
        }

        @Override
        public void println() {
            beforeWriting((long) System.lineSeparator().length() * bytesPerChar);
            delegate.println();
        }

        @Override
        public void flush() {
            beforeCommit.run();
            delegate.flush();
        }

        @Override
        public void close() {
            beforeCommit.run();
            delegate.close();
        }

        @Override
        public boolean checkError() {
            return delegate.checkError();
        }
    }
}
