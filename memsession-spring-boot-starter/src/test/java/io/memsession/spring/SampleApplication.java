package io.memsession.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import java.security.Principal;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A plain Boot application with Spring Security form login; it knows nothing of memsession. */
@SpringBootApplication
public class SampleApplication {

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(a -> a.requestMatchers("/secret").authenticated().anyRequest().permitAll())
                .formLogin(login -> login.defaultSuccessUrl("/secret", true))
                .csrf(csrf -> csrf.disable());
        return http.build();
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(User.withUsername("ann").password("{noop}pw").roles("USER").build());
    }

    @RestController
    static class Pages {

        @GetMapping("/put")
        String put(HttpServletRequest request, @RequestParam String value) {
            HttpSession session = request.getSession();
            session.setAttribute("value", value);
            return "stored " + session.getId().length();
        }

        @GetMapping("/get")
        String get(HttpServletRequest request) {
            HttpSession session = request.getSession(false);
            return session == null ? "no session" : "value=" + session.getAttribute("value");
        }

        @GetMapping("/secret")
        String secret(Principal principal) {
            return "hello " + principal.getName();
        }
    }
}
